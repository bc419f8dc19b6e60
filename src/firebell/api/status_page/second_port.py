"""`firebell serve --status-port`: the main app and the status-only app as two uvicorn servers on one event loop,
in one process (one runtime, one status-page cache). The main server owns the signals; when it stops, so does the
status server."""

import asyncio
import contextlib
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI


class _FollowingServer(uvicorn.Server):
    """A server that leaves SIGINT and SIGTERM to the main server and stops when told."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _serve_both(main: uvicorn.Server, status: _FollowingServer) -> None:
    status_task = asyncio.create_task(status.serve())
    await asyncio.sleep(0)  # the status server binds its port before the main server's lifespan runs
    try:
        await main.serve()
    finally:
        status.should_exit = True
        await status_task


def run_with_status_port(
    app: FastAPI, status_app: FastAPI, *, host: str, port: int, status_host: str, status_port: int, log_level: str
) -> None:
    """Serve `app` on host:port and `status_app` (no lifespan: the main app runs the runtime) on its own port."""
    main = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level=log_level))
    status = _FollowingServer(
        uvicorn.Config(status_app, host=status_host, port=status_port, log_level=log_level, lifespan="off")
    )
    # uvicorn re-raises the SIGINT it captured once it has shut down; uvicorn.run swallows it too
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_both(main, status))
