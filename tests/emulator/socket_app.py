"""A tiny Socket Mode app: slack_sdk's builtin SocketModeClient that records what arrives and acks it."""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any, Self

from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from firebell.emulator import EmulatorServer, SlackEmulator


@dataclass
class SocketApp:
    """Acks every envelope with ``reply`` after ``delay`` seconds (never, if ``ack`` is False)."""

    emu: SlackEmulator
    client: SocketModeClient
    messages: list[dict[str, Any]] = field(default_factory=list)
    requests: list[SocketModeRequest] = field(default_factory=list)
    reply: dict[str, Any] | None = None
    delay: float = 0.0
    ack: bool = True

    @classmethod
    def connect(cls, emu: SlackEmulator, server: EmulatorServer) -> Self:
        """Open a Socket Mode connection with the emulator's app-level token."""
        web = WebClient(token=emu.bot_token, base_url=server.api_url, retry_handlers=[])
        app = cls(emu, SocketModeClient(app_token=emu.app_token, web_client=web))
        app.client.on_message_listeners.append(lambda raw: app.messages.append(json.loads(raw)))
        app.client.socket_mode_request_listeners.append(app.handle)
        app.client.connect()
        return app

    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:
        """The request listener: record, wait, ack."""
        self.requests.append(req)
        if self.delay:
            time.sleep(self.delay)
        if self.ack:
            client.send_socket_mode_response(SocketModeResponse(req.envelope_id, self.reply))

    def close(self) -> None:
        """Close quickly: Slack's side closes first, so the client's blocking reads return at once."""
        self.client.auto_reconnect_enabled = self.client.default_auto_reconnect_enabled = False
        self.emu.socket_mode.close_all()
        self.emu.wait_for(lambda e: not e.socket_mode.connections)
        # SocketModeClient.close() joins a thread blocked in queue.get(timeout=1): wake it first.
        self.client.closed = True
        self.client.message_queue.put(None)
        # slack_sdk's builtin Connection.disconnect checks `self.sock is not None` and then closes it
        # under a lock, while its receive thread may set it to None in between: a race in the library
        # that surfaces as AttributeError when the server closed first. The socket is gone either way.
        with contextlib.suppress(AttributeError):
            self.client.close()
