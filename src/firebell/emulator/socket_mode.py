"""Socket Mode state: single-use connection tickets, open WebSocket connections, envelopes and their acks.

The WebSocket side (``socket_endpoint``) runs on the server's event loop; ``deliver`` runs on a test's
thread and blocks until the app acks the envelope, so hand-offs go through ``loop.call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .ids import token_hex

if TYPE_CHECKING:
    from .state import SlackEmulator

EnvelopeType = Literal["slash_commands", "interactive", "events_api"]
DisconnectReason = Literal["warning", "refresh_requested", "link_disabled"]
SOCKET_PATH = "/socket-mode/"
CLOSE = None  # queued on a connection's outbox: close the WebSocket from Slack's side


@dataclass
class SocketConnection:
    """One app connection over Socket Mode (an accepted WebSocket)."""

    id: str
    opened_at: float
    loop: asyncio.AbstractEventLoop = field(repr=False)
    outbox: asyncio.Queue[str | None] = field(repr=False)
    closed_at: float | None = None
    disconnect_reason: str | None = None

    @property
    def is_open(self) -> bool:
        """Whether the WebSocket is still up."""
        return self.closed_at is None

    def post(self, item: str | None) -> bool:
        """Queue a text frame (None: close) from any thread; False if the connection is gone."""
        if not self.is_open:
            return False
        try:
            self.loop.call_soon_threadsafe(self.outbox.put_nowait, item)
        except RuntimeError:  # the server's loop is closed
            return False
        return True


@dataclass
class SocketAck:
    """The outcome of one envelope: the ack's payload (None when it had none) and when it came."""

    envelope: dict[str, Any]
    connection_id: str
    sent_at: float
    acked: bool = False
    payload: dict[str, Any] | None = None
    elapsed: float | None = None

    @property
    def envelope_id(self) -> str:
        """The envelope's id, which the ack repeats."""
        return str(self.envelope["envelope_id"])


class SocketModeHub:
    """Tickets from apps.connections.open, the open connections, and every envelope with its ack."""

    def __init__(self, emu: SlackEmulator) -> None:
        self.emu = emu
        self._cond = threading.Condition()
        self._tickets: set[str] = set()
        self._connections: list[SocketConnection] = []
        self._deliveries: dict[str, SocketAck] = {}

    # ------------------------------------------------------------ connecting
    def issue_url(self) -> str:
        """A new single-use ``ws://…/socket-mode/<ticket>`` URL (what apps.connections.open answers)."""
        ticket = token_hex(16)
        with self._cond:
            self._tickets.add(ticket)
        base = self.emu.base_url.rstrip("/")
        scheme, sep, rest = base.partition("://")
        ws_scheme = {"http": "ws", "https": "wss"}.get(scheme, scheme)
        return f"{ws_scheme}{sep}{rest}{SOCKET_PATH}{ticket}"

    def open(self, ticket: str, loop: asyncio.AbstractEventLoop) -> SocketConnection | None:
        """Use a ticket to open a connection (None if the ticket is unknown or already used)."""
        with self._cond:
            if ticket not in self._tickets:
                return None
            self._tickets.discard(ticket)
            conn = SocketConnection(id=ticket, opened_at=self.emu.now(), loop=loop, outbox=asyncio.Queue())
            self._connections.append(conn)
            self._cond.notify_all()
            return conn

    def closed(self, conn: SocketConnection) -> None:
        """Mark a connection closed (its WebSocket ended)."""
        with self._cond:
            if conn.closed_at is None:
                conn.closed_at = self.emu.now()
            self._cond.notify_all()

    def hello(self, conn: SocketConnection) -> dict[str, Any]:
        """Slack's first message on a new connection."""
        return {
            "type": "hello",
            "num_connections": len(self.connections),
            "debug_info": {"host": f"applink-emulator-{conn.id[:8]}", "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.emu.app_id},
        }

    @property
    def connections(self) -> list[SocketConnection]:
        """Open connections, oldest first."""
        with self._cond:
            return [c for c in self._connections if c.is_open]

    @property
    def all_connections(self) -> list[SocketConnection]:
        """Every connection ever opened on this emulator, oldest first."""
        with self._cond:
            return list(self._connections)

    def wait_for_connection(self, timeout: float = 5.0) -> SocketConnection:
        """The newest open connection, waiting up to ``timeout`` seconds for one (TimeoutError otherwise)."""
        with self._cond:
            if not self._cond.wait_for(self._open_connections, timeout):
                raise TimeoutError(f"no app connected over Socket Mode within {timeout:g}s")
            return self._open_connections()[-1]

    def _open_connections(self) -> list[SocketConnection]:
        return [c for c in self._connections if c.is_open]

    def disconnect(self, reason: DisconnectReason = "refresh_requested", *, close_after: float | None = None) -> int:
        """Send Slack's ``disconnect`` message to every open connection; returns how many got it.

        Slack closes the connection a few seconds later; ``close_after`` closes it after that many seconds
        (None: leave it to the app, which should open a new connection and close this one).
        """
        message = json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-emulator"}})
        sent = 0
        for conn in self.connections:
            conn.disconnect_reason = reason
            if conn.post(message):
                sent += 1
                if close_after is not None:
                    conn.loop.call_soon_threadsafe(conn.loop.call_later, close_after, conn.outbox.put_nowait, CLOSE)
        return sent

    def close_all(self) -> int:
        """Close every open connection from Slack's side (as when Slack drops links); returns how many."""
        return sum(1 for conn in self.connections if conn.post(CLOSE))

    # ------------------------------------------------------------ delivering
    def _pick(self) -> SocketConnection:
        with self._cond:
            open_now = self._open_connections()
        if not open_now:
            raise RuntimeError(
                "no app is connected over Socket Mode (it calls apps.connections.open, then opens the ws:// URL)"
            )
        healthy = [c for c in open_now if c.disconnect_reason is None]
        return (healthy or open_now)[-1]

    def deliver(
        self,
        kind: EnvelopeType,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
        timeout: float = 10.0,
    ) -> SocketAck:
        """Send an envelope on the newest healthy connection and wait up to ``timeout`` s for its ack."""
        conn = self._pick()
        envelope: dict[str, Any] = {
            "envelope_id": str(uuid.uuid4()),
            "payload": payload,
            "type": kind,
            "accepts_response_payload": accepts_response_payload,
        }
        if retry_attempt is not None:
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = retry_reason or ""
        ack = SocketAck(envelope=envelope, connection_id=conn.id, sent_at=time.perf_counter())
        with self._cond:
            self._deliveries[ack.envelope_id] = ack
        if conn.post(json.dumps(envelope)):
            with self._cond:
                self._cond.wait_for(lambda: ack.acked or not conn.is_open, timeout)
        return ack

    def received(self, text: str) -> None:
        """Handle a text frame from the app: an ack ``{"envelope_id": …, "payload": {…}}``."""
        at = time.perf_counter()
        emu = self.emu
        try:
            message = json.loads(text)
        except ValueError:
            emu.add_violation(f"socket mode: the app sent a frame that is not JSON: {text[:200]!r}")
            return
        envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
        if not isinstance(envelope_id, str):
            emu.add_violation(f"socket mode: the app sent a message without an envelope_id: {text[:200]!r}")
            return
        problems, advice = self._record_ack(envelope_id, message.get("payload"), at)
        # Recorded outside self._cond (emu.lock is taken before it elsewhere), before the driver wakes up.
        for problem in problems:
            emu.add_violation(f"socket mode: {problem}")
        for note in advice:
            emu.add_warning(f"socket mode: {note}")
        with self._cond:
            self._cond.notify_all()

    def _record_ack(self, envelope_id: str, payload: Any, at: float) -> tuple[list[str], list[str]]:
        with self._cond:
            ack = self._deliveries.get(envelope_id)
            if ack is None:
                return [f"ack for an unknown envelope_id {envelope_id!r}"], []
            if ack.acked:
                return [f"envelope {envelope_id} was acked twice"], []
            problems: list[str] = []
            advice: list[str] = []
            if payload is not None and not isinstance(payload, dict):
                problems.append(f"the ack payload of {envelope_id} is not a JSON object")
                payload = None
            if payload and not ack.envelope["accepts_response_payload"]:
                advice.append(f"{ack.envelope['type']} envelopes do not accept a response payload; Slack ignores it")
            ack.acked, ack.payload, ack.elapsed = True, payload, at - ack.sent_at
            return problems, advice

    @property
    def deliveries(self) -> list[SocketAck]:
        """Every envelope sent so far with its ack (if any), in order."""
        with self._cond:
            return list(self._deliveries.values())
