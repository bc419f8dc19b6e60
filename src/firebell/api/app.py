"""The FastAPI app: `/slack/events` for Slack, `/healthz` and `/readyz`, the REST API under `/api/v1`, its docs, the
public status page under `/status` (which `firebell serve --status-port` also serves alone on a port of its own),
and the internal web view (`/incidents`, `/auth/...`)."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import PlainTextResponse
from fastapi_offline import FastAPIOffline
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from starlette.concurrency import run_in_threadpool

import firebell
from firebell.api.alerts import build_alert_intake_router, build_alert_reads_router
from firebell.api.errors import declare_only_our_errors, install_error_handlers
from firebell.api.health import health_router
from firebell.api.ical import ical_router
from firebell.api.rest import build_router
from firebell.api.slack_edge import Refusal, check_shape, check_signature, read_limited_body
from firebell.api.status_page.cache import StatusPageCache
from firebell.api.status_page.router import status_page_router
from firebell.api.web.router import web_router
from firebell.runtime import Runtime
from firebell.slack.listeners.ack_priority import AckPriority

log = logging.getLogger(__name__)


class CountedSocketModeHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler, with each envelope counted as being acknowledged (AckPriority), as
    requests to /slack/events are."""

    def __init__(self, app: AsyncApp, app_token: str, *, priority: AckPriority) -> None:
        super().__init__(app, app_token)
        self.priority = priority

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        with self.priority.acknowledging():
            await super().handle(client, req)


def create_app(
    runtime: Runtime,
    *,
    manage_runtime: bool = True,
    socket_mode_token: str | None = None,
    status_cache: StatusPageCache | None = None,
) -> FastAPI:
    """The HTTP service; with `manage_runtime`, its lifespan starts and stops the gateway and scheduler.

    The status page renders from `status_cache` (one per process: pass the same one to the status-only app).

    With a Socket Mode app-level token, Slack traffic arrives over a WebSocket instead of `/slack/events`
    (which is then not served): the lifespan connects it after the runtime starts and closes it before
    the runtime stops, so no Slack request arrives while the store and gateway are going away.
    """

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        socket_mode: AsyncSocketModeHandler | None = None
        if manage_runtime:
            runtime.start()
        try:
            if socket_mode_token is not None:
                # Its aiohttp session belongs to the running event loop, so it is made here.
                socket_mode = CountedSocketModeHandler(runtime.bolt, socket_mode_token, priority=runtime.priority)
                await socket_mode.connect_async()  # type: ignore[no-untyped-call]
                log.info("connected to Slack over Socket Mode")
            yield
        finally:
            if socket_mode is not None:
                await socket_mode.close_async()  # type: ignore[no-untyped-call]
                log.info("closed the Socket Mode connection")
            if manage_runtime:
                await run_in_threadpool(runtime.stop)

    # The docs pages load Swagger UI and ReDoc from files shipped in a package, not a CDN, so they work
    # on a network without internet; no validator badge either (it would call validator.swagger.io).
    app = FastAPIOffline(
        title="Firebell",
        version=firebell.__version__,
        lifespan=lifespan,
        swagger_ui_parameters={"validatorUrl": None},
    )

    if socket_mode_token is None:
        slack = AsyncSlackRequestHandler(runtime.bolt)
        secret = runtime.settings.slack_signing_secret
        signing_secret = secret.get_secret_value() if secret is not None else ""

        @app.post("/slack/events", include_in_schema=False)
        async def slack_events(request: Request) -> Response:
            # Counted as being acknowledged once the body is in (a slow client does not hold back work).
            # An oversize body is refused before it is read whole; then the signature and timestamp (401)
            # and the body's shape (400) are checked before Bolt, which would answer junk with a 500.
            body = await read_limited_body(request)
            refusal = body if isinstance(body, Refusal) else None
            if isinstance(body, bytes):
                headers = request.headers
                refusal = check_signature(
                    signing_secret, body, headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature")
                ) or check_shape(body, headers.get("content-type"))
            if refusal is not None:
                log.info("refused a request to /slack/events (%s): %s", refusal.status, refusal.reason)
                return PlainTextResponse(refusal.reason, status_code=refusal.status)
            with runtime.priority.acknowledging():
                return await slack.handle(request)

    install_error_handlers(app)
    app.include_router(health_router(runtime))
    app.include_router(build_router(runtime))
    declare_only_our_errors(app)
    app.include_router(build_alert_intake_router(runtime))
    app.include_router(build_alert_reads_router(runtime))
    app.include_router(ical_router(runtime.ctx))
    app.include_router(status_page_router(status_cache or StatusPageCache(runtime.ctx)))
    app.include_router(web_router(runtime))  # /incidents: the internal web view (off unless FIREBELL_WEB_VIEW says)
    return app
