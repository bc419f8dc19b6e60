"""apps.connections.open: the Socket Mode URL an app-level token asks for."""

from __future__ import annotations

from typing import Any

from .registry import Ctx, handler

APP_TOKEN_METHODS = frozenset({"apps.connections.open"})


def websockets_available() -> bool:
    """Whether uvicorn can serve WebSockets here (it needs the ``websockets`` or ``wsproto`` package)."""
    from uvicorn.protocols.websockets.auto import AutoWebSocketsProtocol

    return AutoWebSocketsProtocol is not None


@handler("apps.connections.open")
def apps_connections_open(ctx: Ctx) -> dict[str, Any]:
    """A fresh single-use WebSocket URL for one Socket Mode connection."""
    if not websockets_available():
        ctx.fail(
            "internal_error",
            "the emulator cannot serve Socket Mode: uvicorn has no WebSocket library (install websockets>=13.0)",
        )
    return {"ok": True, "url": ctx.emu.socket_mode.issue_url()}
