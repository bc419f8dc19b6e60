"""The Socket Mode WebSocket endpoint (ASGI): hello, then envelopes out and acks in until a side closes."""

from __future__ import annotations

import asyncio
import json

from .socket_mode import SOCKET_PATH, SocketConnection, SocketModeHub
from .wire import Receive, Scope, Send


async def serve_socket(hub: SocketModeHub, scope: Scope, receive: Receive, send: Send) -> None:
    """Serve one ``/socket-mode/<ticket>`` WebSocket (refused with HTTP 403 if the ticket is not valid)."""
    if (await receive())["type"] != "websocket.connect":
        return
    path = str(scope.get("path", ""))
    ticket = path.removeprefix(SOCKET_PATH) if path.startswith(SOCKET_PATH) else ""
    conn = hub.open(ticket, asyncio.get_running_loop()) if ticket else None
    if conn is None:
        hub.emu.add_violation(
            f"socket mode: refused a connection to {path}: unknown or already used ticket "
            "(every connection needs a fresh URL from apps.connections.open)"
        )
        await send({"type": "websocket.close", "code": 1008})
        return
    try:
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": json.dumps(hub.hello(conn))})
        tasks = {asyncio.create_task(_read(hub, receive)), asyncio.create_task(_write(conn, send))}
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            task.exception()  # a send after the app went away fails; that is just the end of the link
    finally:
        hub.closed(conn)


async def _read(hub: SocketModeHub, receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        if message["type"] != "websocket.receive":
            continue
        text = message.get("text")
        if text is None:
            text = bytes(message.get("bytes") or b"").decode("utf-8", "replace")
        hub.received(text)


async def _write(conn: SocketConnection, send: Send) -> None:
    while True:
        item = await conn.outbox.get()
        if item is None:
            await send({"type": "websocket.close", "code": 1000})
            return
        await send({"type": "websocket.send", "text": item})
