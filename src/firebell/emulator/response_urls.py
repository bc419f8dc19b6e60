"""Hosted side URLs: response_url posts (5 uses / 30 min) and raw file-upload POSTs."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .content import block_problems
from .models import Ephemeral, Message, ResponsePost, ResponseUrl
from .wire import HttpRequest, Send, decode_body, drop_connection, send_json, send_text

if TYPE_CHECKING:
    from .state import SlackEmulator


class _Reject(Exception):
    def __init__(self, status: int, error: str, violation: str | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.violation = status, error, violation


def _payload(req: HttpRequest) -> dict[str, Any]:
    decoded = decode_body(req)
    values = decoded.values
    if decoded.kind == "form" and isinstance(values.get("payload"), str):
        try:
            values = json.loads(values["payload"])
        except ValueError as exc:
            raise _Reject(400, "invalid_payload", "response_url: payload is not JSON") from exc
    if decoded.error or not isinstance(values, dict):
        raise _Reject(400, "invalid_payload", "response_url: body must be a JSON object")
    return values


def _usable(emu: SlackEmulator, url_id: str) -> ResponseUrl:
    url = emu.response_urls.get(url_id)
    if url is None:
        raise _Reject(404, "no_service", f"response_url: {url_id} was never issued")
    if emu.now() - url.issued_at > emu.response_url_ttl:
        raise _Reject(404, "expired_url", f"response_url {url_id} used after {emu.response_url_ttl / 60:g} minutes")
    if url.uses >= emu.response_url_max_uses:
        raise _Reject(404, "used_url", f"response_url {url_id} used more than {emu.response_url_max_uses} times")
    return url


def _source_message(emu: SlackEmulator, url: ResponseUrl) -> Message | None:
    if url.message_ts is None or url.channel is None or url.channel not in emu.channels:
        return None
    return emu.channels[url.channel].messages.get(url.message_ts)


def _source_ephemeral(emu: SlackEmulator, url: ResponseUrl) -> Ephemeral | None:
    # A slash command's ack reply is an ephemeral message like any other: its buttons' response_url
    # can replace or delete it.
    shown = [*emu.ephemerals, *emu.command_acks]
    return next((e for e in shown if url.ephemeral_ts and e.ts == url.ephemeral_ts), None)


def _delete_original(emu: SlackEmulator, url: ResponseUrl) -> None:
    message, ephemeral = _source_message(emu, url), _source_ephemeral(emu, url)
    if message is not None:
        del emu.channels[message.channel].messages[message.ts]
    elif ephemeral is not None:
        ephemeral.deleted = True
    else:
        emu.add_warning(f"response_url {url.id}: delete_original but there is no original message")


def _replace_original(emu: SlackEmulator, url: ResponseUrl, text: str, blocks: list[dict[str, Any]]) -> bool:
    message, ephemeral = _source_message(emu, url), _source_ephemeral(emu, url)
    if message is not None:
        message.text, message.blocks = text, blocks
        return True
    if ephemeral is not None:
        ephemeral.text, ephemeral.blocks = text, blocks
        ephemeral.replaced += 1
        return True
    emu.add_warning(f"response_url {url.id}: replace_original but there is no original; posted a new message")
    return False


def _apply(emu: SlackEmulator, url: ResponseUrl, body: dict[str, Any]) -> None:
    if _truthy(body.get("delete_original")):
        _delete_original(emu, url)
        return
    text = body.get("text") if isinstance(body.get("text"), str) else ""
    blocks, attachments = body.get("blocks"), body.get("attachments")
    if not (str(text).strip() or blocks or attachments):
        raise _Reject(400, "no_text", f"response_url {url.id}: no text, blocks or attachments")
    if blocks is not None:
        problem = block_problems(emu, blocks, f"response_url {url.id}")
        if problem is not None:
            raise _Reject(400, problem.error, problem.violation)
    blocks_list = blocks if isinstance(blocks, list) else []
    if _truthy(body.get("replace_original")) and _replace_original(emu, url, str(text), blocks_list):
        return
    thread_ts = body.get("thread_ts") if isinstance(body.get("thread_ts"), str) else None
    if url.channel is None:
        raise _Reject(404, "channel_not_found", f"response_url {url.id}: no conversation to post into")
    if body.get("response_type") == "in_channel":
        emu.store_message(
            Message(
                ts=emu.next_ts(),
                channel=url.channel,
                user=emu.bot_user_id,
                bot_id=emu.bot_id,
                app_id=emu.app_id,
                text=str(text),
                blocks=blocks_list,
                thread_ts=thread_ts,
                attachments=attachments if isinstance(attachments, list) else [],
            )
        )
    else:
        emu.add_ephemeral(
            Ephemeral(
                channel=url.channel,
                user=url.user,
                text=str(text),
                blocks=blocks_list,
                via="response_url",
                ts=emu.next_ts(),
                thread_ts=thread_ts,
            )
        )


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("true", "1"))


async def handle_response_url(emu: SlackEmulator, req: HttpRequest, send: Send, url_id: str) -> None:
    """POST to a response_url: post/replace/delete per the body; 404 used_url / expired_url past limits."""
    if emu.outage:
        await send_json(send, 503, {"ok": False, "error": "service_unavailable"})
        return
    fault = emu.faults.take("response_url")
    if fault is not None and fault.kind == "disconnect" and await drop_connection(send):
        return
    if fault is not None and fault.kind in ("ratelimited", "server_error"):
        status = 429 if fault.kind == "ratelimited" else fault.status
        await send_json(send, status, {"ok": False, "error": fault.error}, {"Retry-After": str(fault.retry_after)})
        return
    body: dict[str, Any] = {}
    with emu.lock:
        url = emu.response_urls.get(url_id)
        post = ResponsePost(
            url_id=url_id,
            status=200,
            body=body,
            at=emu.now(),
            channel=url.channel if url else None,
            user=url.user if url else None,
            source=url.source if url else "unknown",
        )
        try:
            post.body = body = _payload(req)
            url = _usable(emu, url_id)
            url.uses += 1
            _apply(emu, url, body)
        except _Reject as rejected:
            post.status, post.error = rejected.status, rejected.error
            if rejected.violation:
                emu.add_violation(rejected.violation)
        emu.add_response_post(post)
    if post.error:
        await send_text(send, post.status, post.error)
    else:
        await send_json(send, 200, {"ok": True})


async def handle_upload(emu: SlackEmulator, req: HttpRequest, send: Send, file_id: str) -> None:
    """The upload_url from files.getUploadURLExternal: raw bytes (or a multipart ``file`` part)."""
    if emu.outage:
        await send_text(send, 503, "service_unavailable")
        return
    with emu.lock:
        upload = emu.uploads.get(file_id)
        if upload is None or upload.completed:
            status, text = 404, "file_not_found"
        else:
            data = req.body
            if req.content_type == "multipart/form-data":
                parts = decode_body(req).files
                data = next(iter(parts.values()), b"")
            upload.content = data
            if len(data) != upload.declared_length:
                emu.add_violation(
                    f"upload {file_id}: received {len(data)} bytes but files.getUploadURLExternal declared "
                    f"length={upload.declared_length}"
                )
            status, text = 200, f"OK - {len(data)}"
    await send_text(send, status, text)
