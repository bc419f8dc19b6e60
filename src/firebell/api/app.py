"""The FastAPI app: `/slack/events` for Slack, `/healthz`, and the REST API under `/api/v1`."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from slack_bolt.adapter.socket_mode.base_handler import BaseSocketModeHandler
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

import firebell
from firebell.api.rest import build_router
from firebell.domain.errors import FirebellError, IncidentNotFound
from firebell.runtime import Runtime

log = logging.getLogger(__name__)

# Slack requests dispatched at once. More threads than this only fight over the GIL: at 16 concurrent
# slash commands on 2 cores, anyio's default of 40 gave an ack p99 of 62 ms for `help` and 200 ms for
# `note`; 8 gave 15 ms and 105 ms (bench/ack.py). Listeners never wait on Slack, only on the store.
DISPATCH_THREADS = 8


def create_app(
    runtime: Runtime, *, manage_runtime: bool = True, socket_mode: BaseSocketModeHandler | None = None
) -> FastAPI:
    """The HTTP service; with `manage_runtime`, its lifespan starts and stops the gateway and scheduler.

    With a Socket Mode handler, Slack traffic arrives over its WebSocket instead of `/slack/events`
    (which is then not served): the lifespan connects it after the runtime starts and closes it before
    the runtime stops, so no Slack request arrives while the store and gateway are going away.
    """

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if manage_runtime:
            runtime.start()
        try:
            if socket_mode is not None:
                await run_in_threadpool(socket_mode.connect)
                log.info("connected to Slack over Socket Mode")
            yield
        finally:
            if socket_mode is not None:
                await run_in_threadpool(socket_mode.close)
            if manage_runtime:
                await run_in_threadpool(runtime.stop)

    app = FastAPI(title="Firebell", version=firebell.__version__, lifespan=lifespan)

    if socket_mode is None:
        dispatchers = anyio.CapacityLimiter(DISPATCH_THREADS)

        @app.post("/slack/events", include_in_schema=False)
        async def slack_events(request: Request) -> Response:
            body = await request.body()
            # Bolt verifies the signature and timestamp first (401 otherwise); dispatch runs on a worker
            # thread so the event loop keeps accepting requests while listeners touch the database. At
            # most DISPATCH_THREADS at a time: the rest wait their turn on the event loop.
            bolt_response = await anyio.to_thread.run_sync(
                runtime.bolt.dispatch, to_bolt_request(request, body), limiter=dispatchers
            )
            return to_starlette_response(bolt_response)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness and database reachability."""
        with runtime.ctx.db.read() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "version": firebell.__version__}

    @app.exception_handler(FirebellError)
    async def firebell_error(_: Request, exc: FirebellError) -> JSONResponse:
        status = 404 if isinstance(exc, IncidentNotFound) else 400
        return JSONResponse({"detail": exc.message}, status_code=status)

    app.include_router(build_router(runtime))
    return app
