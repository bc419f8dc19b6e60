"""The emulator's ASGI app: ``/api/<method>``, ``/response/<id>``, ``/upload/<file_id>``, and Sign in with Slack's
``/openid/connect/authorize``."""

from __future__ import annotations

import asyncio
from typing import Any

from . import (  # noqa: F401  (importing registers the handlers)
    methods_apps,
    methods_chat,
    methods_conversations,
    methods_files,
    methods_history,
    methods_items,
    methods_openid,
    methods_users,
    methods_views,
)
from .args import Args
from .errors import SlackError
from .faults import Fault
from .methods_apps import APP_TOKEN_METHODS
from .models import Call
from .oidc import OIDC_METHODS, TOKEN_METHOD, basic_credentials
from .registry import HANDLERS, Ctx
from .response_urls import handle_response_url, handle_upload
from .socket_endpoint import serve_socket
from .spec import MethodSpec, check_arguments, get_spec, unknown_arguments
from .state import SlackEmulator
from .wire import (
    DecodedBody,
    HttpRequest,
    Receive,
    Scope,
    Send,
    decode_body,
    drop_connection,
    read_request,
    send_bytes,
    send_json,
    send_text,
)

DEFAULT_SCOPES = (
    "commands,chat:write,channels:manage,channels:read,channels:join,channels:history,groups:write,groups:read,"
    "users:read,pins:write,bookmarks:write,reactions:read,reactions:write,app_mentions:read,files:write,im:write"
)


class EmulatorApp:
    """ASGI application serving the emulated Slack Web API and its side URLs."""

    def __init__(self, emu: SlackEmulator) -> None:
        self.emu = emu

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] == "websocket":
            await serve_socket(self.emu.socket_mode, scope, receive, send)
            return
        if scope["type"] != "http":
            return
        req = await read_request(scope, receive)
        path = req.path
        if path.startswith("/api/"):
            await self._api(req, send, path[len("/api/") :])
        elif path.startswith("/response/"):
            await handle_response_url(self.emu, req, send, path[len("/response/") :])
        elif path.startswith("/upload/"):
            await handle_upload(self.emu, req, send, path[len("/upload/") :])
        elif path == "/openid/connect/authorize":
            with self.emu.lock:
                answer = self.emu.oidc.authorize(req.query)
            if answer.location is not None:
                await send_bytes(send, answer.status, b"", "text/plain", {"location": answer.location})
            else:
                await send_bytes(send, answer.status, answer.html.encode(), "text/html; charset=utf-8")
        elif path in ("/", "/health"):
            await send_text(send, 200, "Firebell Slack emulator")
        else:
            await send_text(send, 404, "not_found")

    async def _api(self, req: HttpRequest, send: Send, method: str) -> None:
        emu = self.emu
        if emu.latency > 0:
            await asyncio.sleep(emu.latency)
        decoded = decode_body(req)
        args = {k: v for k, v in {**req.query, **decoded.values}.items() if k != "token"}
        call = Call(method=method, args=args, status=200, response={}, at=emu.now(), http_method=req.method)
        if emu.outage:
            await self._answer(send, call, 503, {"ok": False, "error": "service_unavailable"}, fault="outage")
            return
        fault = emu.faults.take(method)
        if fault is not None and fault.kind != "disconnect_after":
            await self._fault(send, call, fault)
            return
        spec = get_spec(method)
        if emu.enforce_rate_limits and spec is not None:
            retry_after = emu.rate_limiter.check(method, spec.tier, _channel_key(emu, args.get("channel")))
            if retry_after is not None:
                body = {"ok": False, "error": "ratelimited"}
                await self._answer(send, call, 429, body, headers={"Retry-After": str(retry_after)})
                return
        with emu.lock:
            body = self._dispatch(method, req, decoded, args, spec)
        headers = {"x-oauth-scopes": ",".join(sorted(emu.scopes)) if emu.scopes is not None else DEFAULT_SCOPES}
        if spec is not None:
            headers["x-accepted-oauth-scopes"] = ",".join(spec.bot_scopes)
        if fault is not None:  # disconnect_after: the call happened, the answer is lost
            call.status, call.response, call.fault = 0, body, fault.kind
            emu.record_call(call)
            if not await drop_connection(send):
                await send_text(send, 502, "connection dropped (emulated)")
            return
        await self._answer(send, call, 200, body, headers=headers)

    async def _answer(
        self,
        send: Send,
        call: Call,
        status: int,
        body: dict[str, Any],
        *,
        headers: dict[str, str] | None = None,
        fault: str | None = None,
    ) -> None:
        call.status, call.response, call.fault = status, body, fault
        self.emu.record_call(call)
        await send_json(send, status, body, headers)

    async def _fault(self, send: Send, call: Call, fault: Fault) -> None:
        if fault.kind == "ratelimited":
            headers = {"Retry-After": str(fault.retry_after)}
            await self._answer(
                send, call, 429, {"ok": False, "error": "ratelimited"}, headers=headers, fault="ratelimited"
            )
        elif fault.kind == "server_error":
            error = "service_unavailable" if fault.status == 503 else "internal_error"
            await self._answer(send, call, fault.status, {"ok": False, "error": error}, fault="server_error")
        elif fault.kind == "error":
            await self._answer(send, call, 200, {"ok": False, "error": fault.error}, fault="error")
        else:  # disconnect: nothing happens and no answer arrives
            call.status, call.fault = 0, "disconnect"
            self.emu.record_call(call)
            if not await drop_connection(send):
                await send_text(send, 502, "connection dropped (emulated)")

    def _dispatch(
        self, method: str, req: HttpRequest, decoded: DecodedBody, args: dict[str, Any], spec: MethodSpec | None
    ) -> dict[str, Any]:
        emu = self.emu
        try:
            if decoded.error:
                raise SlackError(
                    decoded.error, violation=f"{method}: request body could not be decoded ({decoded.error})"
                )
            if method in OIDC_METHODS:
                args = {**args, **_openid_credentials(emu, req, decoded, method)}
            else:
                _authenticate(emu, req, decoded, method)
            if spec is None:
                raise SlackError(
                    "unknown_method",
                    violation=f"{method}: no such Slack Web API method (not in the vendored docs reference)",
                    req_method=method,
                )
            if decoded.kind == "json" and not spec.json_supported:
                emu.add_violation(f"{method}: does not accept JSON bodies; Slack ignores the JSON arguments")
                args = {k: v for k, v in args.items() if k not in decoded.values}
            call_args = Args(method, args)
            unknown = unknown_arguments(spec, list(args))
            if unknown:
                emu.add_warning(f"{method}: arguments not in the docs (Slack ignores them): {', '.join(unknown)}")
            check_arguments(spec, call_args.present, lambda name: args.get(name) is not None)
            _check_scopes(emu, spec)
            handler = HANDLERS.get(method)
            if handler is None:
                raise SlackError(
                    "not_implemented",
                    violation=f"{method}: a real Slack method the emulator does not implement yet",
                )
            return handler(Ctx(emu, method, call_args, spec))
        except SlackError as exc:
            if exc.violation:
                emu.add_violation(exc.violation)
            return exc.body()


def _channel_key(emu: SlackEmulator, ref: Any) -> str | None:
    """The conversation a chat.postMessage rate-limit bucket belongs to, however it was named."""
    if not isinstance(ref, str):
        return None
    with emu.lock:
        if ref in emu.channels:
            return ref
        if ref in emu.users:
            dm = emu.dm_channel(ref)
            return dm.id if dm else ref
        found = emu.channel_by_name(ref)
    return found.id if found else ref


def _authenticate(emu: SlackEmulator, req: HttpRequest, decoded: DecodedBody, method: str) -> None:
    auth = req.headers.get("authorization", "")
    bearer = auth[len("Bearer ") :].strip() if auth.lower().startswith("bearer ") else None
    if decoded.kind == "json" and not bearer:
        raise SlackError("not_authed", violation=f"{method}: a JSON body needs an 'Authorization: Bearer' header")
    token = bearer or decoded.values.get("token")
    if not token and req.query.get("token"):
        raise SlackError(
            "not_authed",
            violation=f"{method}: token in the query string (not accepted for apps created after 2021-02-24)",
        )
    if not token:
        raise SlackError("not_authed", violation=f"{method}: no token (Authorization header or token field)")
    if method in APP_TOKEN_METHODS:
        if token == emu.app_token:
            return
        if token == emu.bot_token:
            raise SlackError("not_allowed_token_type", violation=f"{method}: needs the app-level token (xapp-…)")
        raise SlackError("invalid_auth", violation=f"{method}: token is not the app-level token")
    if token == emu.app_token:
        raise SlackError("not_allowed_token_type", violation=f"{method}: an app-level token cannot call it")
    if token != emu.bot_token:
        raise SlackError("invalid_auth", violation=f"{method}: token is not the bot token")


def _openid_credentials(emu: SlackEmulator, req: HttpRequest, decoded: DecodedBody, method: str) -> dict[str, str]:
    """Sign in with Slack's credentials: the app's client id and secret (Basic auth or form fields) for the token
    exchange; for user info, a user token the token exchange issued (passed on to the handler as `token`)."""
    auth = req.headers.get("authorization", "")
    if method == TOKEN_METHOD:
        return basic_credentials(auth)
    bearer = auth[len("Bearer ") :].strip() if auth.lower().startswith("bearer ") else None
    token = bearer or decoded.values.get("token")
    if not token:
        raise SlackError("not_authed", violation=f"{method}: no token (the user token from openid.connect.token)")
    if token in (emu.bot_token, emu.app_token):
        raise SlackError(
            "not_allowed_token_type", violation=f"{method}: needs the user token from openid.connect.token"
        )
    if token not in emu.oidc.tokens:
        raise SlackError("invalid_auth")
    return {"token": token}


def _check_scopes(emu: SlackEmulator, spec: MethodSpec) -> None:
    if emu.scopes is None or not spec.bot_scopes or set(spec.bot_scopes) & emu.scopes:
        return
    raise SlackError(
        "missing_scope",
        violation=f"{spec.name}: needs one of the bot scopes {list(spec.bot_scopes)}",
        needed=",".join(spec.bot_scopes),
        provided=",".join(sorted(emu.scopes)),
    )


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
