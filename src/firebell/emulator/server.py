"""Serving ASGI apps with uvicorn in a daemon thread (the emulator, or an app under test)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from types import TracebackType
from typing import Any, Self

import uvicorn

from .state import SlackEmulator
from .web_api import EmulatorApp


class _QuickServer(uvicorn.Server):
    """uvicorn.Server that notices ``should_exit`` within 10 ms instead of 100 ms (fast test teardown)."""

    async def main_loop(self) -> None:
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            await asyncio.sleep(0.01)
            should_exit = await self.on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's shutdown without its fixed 100 ms pause: connections are asked to close, then polled
        every 10 ms until they have (a test suite starts and stops a few thousand servers)."""
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        deadline = asyncio.get_running_loop().time() + (self.config.timeout_graceful_shutdown or 5.0)
        while (self.server_state.connections or self.server_state.tasks) and not self.force_exit:
            if asyncio.get_running_loop().time() > deadline:
                for task in self.server_state.tasks:
                    task.cancel(msg="Task cancelled, timeout graceful shutdown exceeded")
                break
            await asyncio.sleep(0.01)
        for server in self.servers:
            await server.wait_closed()
        if not self.force_exit:
            await self.lifespan.shutdown()


class AsgiServerThread:
    """Runs any ASGI app under uvicorn in a daemon thread; ``port=0`` picks a free port. With ``lifespan``,
    the app's startup and shutdown run as under ``uvicorn.run`` (Firebell's start its gateway and scheduler)."""

    def __init__(
        self, app: Any, host: str = "127.0.0.1", port: int = 0, *, log_level: str = "warning", lifespan: bool = False
    ) -> None:
        self.app = app
        self.lifespan = lifespan
        self.host = host
        self.requested_port = port
        self.log_level = log_level
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://host:port`` (valid after start)."""
        if not self.port:
            raise RuntimeError("server not started")
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> Self:
        """Start serving; returns once the socket accepts connections."""
        if self._thread is not None:
            raise RuntimeError("already started")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.requested_port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level=self.log_level,
            http="h11",
            lifespan="on" if self.lifespan else "off",
            interface="asgi3",
            proxy_headers=False,
            server_header=False,
            date_header=False,
            access_log=False,
            timeout_keep_alive=5,
        )
        server = _QuickServer(config)
        self._server = server
        self._thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start on {self.host}:{self.port}")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving and join the thread."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        if self._thread is None:
            self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


class EmulatorServer(AsgiServerThread):
    """The emulator's HTTP front: ``api_url`` is what WebClient(base_url=…) / SLACK_API_URL gets."""

    def __init__(self, emu: SlackEmulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self._app = EmulatorApp(emu)
        super().__init__(self._app, host, port)
        self.emu = emu

    def attach(self, emu: SlackEmulator) -> None:
        """Serve a different emulator from now on (lets a test session share one running server)."""
        self._app.emu = emu
        self.emu = emu
        if self.port:
            emu.base_url = self.url

    @property
    def api_url(self) -> str:
        """``http://host:port/api/``."""
        return f"{self.url}/api/"

    def start(self, timeout: float = 10.0) -> Self:
        """Start serving and point the emulator's generated URLs (uploads, response_urls) here."""
        super().start(timeout)
        self.emu.base_url = self.url
        return self
