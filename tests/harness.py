"""Run the real Firebell HTTP service (uvicorn, in a thread) against the Slack emulator."""

import functools
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml
from sqlalchemy import select

from firebell.api.app import create_app
from firebell.config import Settings
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackDriver, SlackEmulator
from firebell.emulator.driver import DriverResult
from firebell.emulator.models import Channel, Message
from firebell.emulator.server import AsgiServerThread
from firebell.runtime import Runtime, build_runtime
from firebell.services.context import utc_now
from firebell.services.incidents import get_incident
from firebell.services.timeline import timeline_of
from firebell.slack.listeners.inbox import InboxWorker
from firebell.store.models import Effect, Page
from tests.clock import Clock

API_TOKEN = "test-api-token"
MANIFEST = Path(__file__).parents[1] / "slack-app-manifest.yml"


@functools.cache
def _manifest_bot_scopes() -> frozenset[str]:
    manifest = yaml.safe_load(MANIFEST.read_text())
    return frozenset(manifest["oauth_config"]["scopes"]["bot"])


def manifest_bot_scopes() -> set[str]:
    """The bot scopes the committed Slack app manifest requests (read once per run)."""
    return set(_manifest_bot_scopes())


FAST_GATEWAY = {"poll_interval": 0.05, "max_backoff": 0.4, "workers": 8}
FAST_SCHEDULER = {"tick": 0.1}
# On a hand-moved clock nothing ticks in the background: the test moves time and then ticks (Firebell.advance).
HAND_SCHEDULER: dict[str, Any] = {"tick": None}


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AnsweredDriver(SlackDriver):
    """The emulator's driver, whose slash commands return once Firebell has carried them out.

    Firebell acknowledges `/incident` at once and does the work afterwards, answering through the
    response_url; a test, like the person typing, goes on once that answer is in.
    """

    def __init__(self, *args: Any, inbox: InboxWorker, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inbox = inbox

    def slash_command(self, *args: Any, **kwargs: Any) -> DriverResult:
        """Invoke a slash command; wait until Firebell has carried it out."""
        result = super().slash_command(*args, **kwargs)
        if not self.inbox.wait_idle(10):
            raise AssertionError("Firebell did not finish the slash command within 10 s")
        return result


@dataclass
class Firebell:
    """One running Firebell plus the Slack it talks to, as a test sees them."""

    emu: SlackEmulator
    slack: EmulatorServer
    runtime: Runtime
    server: AsgiServerThread
    driver: AnsweredDriver
    clock: Clock | None = None

    @property
    def url(self) -> str:
        """Base URL of the service."""
        return self.server.url

    def api(self, path: str, token: str | None = API_TOKEN, **params: Any) -> httpx.Response:
        """GET a REST API path."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.get(f"{self.url}{path}", headers=headers, params=params, timeout=10)

    def incident(self, number: int) -> IncidentSnapshot:
        """The stored incident."""
        return get_incident(self.runtime.ctx, number)

    def timeline(self, number: int) -> list[tuple[str, str | None, str]]:
        """(kind, actor, text) of every stored timeline event."""
        incident = self.incident(number)
        with self.runtime.ctx.db.read() as session:
            return [(e.kind.value, e.actor, e.text) for e in timeline_of(session, incident.id)]

    def pending_effects(self) -> list[Effect]:
        """Outbox rows not yet delivered."""
        with self.runtime.ctx.db.read() as session:
            return list(session.scalars(select(Effect).where(Effect.status == "pending")))

    def due_pages(self) -> list[Page]:
        """Pages whose step is due now and that the pager has not moved yet."""
        now = self.runtime.ctx.clock()
        with self.runtime.ctx.db.read() as session:
            return list(session.scalars(select(Page).where(Page.status == "active", Page.next_due_at <= now)))

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
        """Poll until `predicate()` is truthy."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                recent = [f"{c.method} {c.status} {c.response.get('error', '')}" for c in self.emu.calls[-15:]]
                raise AssertionError(f"timed out waiting for {what}; last Slack calls: {recent}")
            time.sleep(0.02)

    def war_room(self, number: int, timeout: float = 10.0) -> Channel:
        """The incident's war-room channel, once its kick-off is posted."""

        def ready() -> Channel | None:
            incident = self.incident(number)
            if incident.channel_id is None or incident.kickoff_ts is None:
                return None
            return self.emu.channel(incident.channel_id)

        channel: Channel = self.wait_for(ready, timeout, what=f"INC-{number}'s war room")
        return channel

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until every queued Slack effect is delivered; on a hand-moved clock, every one due by now (one
        held for later, a retry or a coalesced edit waiting out its gap, waits for the clock to be moved)."""

        def due() -> list[Effect]:
            if self.clock is None:
                return self.pending_effects()
            now = self.clock()
            return [e for e in self.pending_effects() if e.next_attempt_at <= now]

        self.wait_for(
            lambda: not self.due_pages() and not due() and self.runtime.gateway.wait_idle(1), timeout, "outbox"
        )

    def tick(self) -> int:
        """One scheduler tick, now (what APScheduler runs every few hundred ms in `firebell serve`);
        returns how many due points it claimed."""
        return self.runtime.scheduler.tick()

    def advance(self, delta: timedelta) -> int:
        """Let `delta` pass on the hand-moved clock, then tick; returns how many due points were claimed.

        The outbox is settled first: no delivery is in flight while time jumps (its lease would look lapsed).
        """
        if self.clock is None:
            raise AssertionError("this Firebell runs on the real clock; build it with clock=")
        self.settle()
        self.clock.advance(delta)
        return self.tick()

    def reminders(self, channel: str) -> list[Message]:
        """Overdue-update reminders the bot posted in a channel."""
        return [m for m in self.bot_messages(channel) if ":reminder:" in outbox_key(m)]

    def bot_messages(self, channel: str) -> list[Message]:
        """Messages the bot posted in a channel (top level and threads)."""
        return [m for m in self.emu.messages(channel) if m.bot_id == self.emu.bot_id]


def outbox_key(message: Message) -> str:
    """The outbox key Firebell stamped on a message it posted ("" for others)."""
    return str(((message.metadata or {}).get("event_payload") or {}).get("key", ""))


def build_firebell(
    emu: SlackEmulator,
    slack: EmulatorServer,
    database_url: str,
    policy: Policy,
    *,
    gateway: dict[str, Any] | None = None,
    api_token: str | None = API_TOKEN,
    clock: Clock | None = None,
    environment: dict[str, Any] | None = None,
    port: int = 0,
) -> Firebell:
    """Start Firebell (migrations, gateway, HTTP) wired to the emulator; `environment` adds settings.

    With a `clock`, Firebell's use cases read that hand-moved clock and its scheduler ticks only when the
    test says (`Firebell.advance`, `Firebell.tick`); Slack's side (signatures, message ts) keeps real time.
    """
    settings = Settings(
        slack_bot_token=emu.bot_token,
        slack_signing_secret=emu.signing_secret,
        slack_api_url=slack.api_url,
        database_url=database_url,
        firebell_api_token=api_token,
        **(environment or {}),
    )
    runtime = build_runtime(
        settings,
        policy,
        clock=utc_now if clock is None else clock,
        gateway_options={**FAST_GATEWAY, **(gateway or {})},
        scheduler_options=FAST_SCHEDULER if clock is None else HAND_SCHEDULER,
    )
    server = AsgiServerThread(create_app(runtime), port=port, lifespan=True)
    server.start()
    driver = AnsweredDriver(emu, slack, app_url=f"{server.url}/slack/events", inbox=runtime.inbox)
    return Firebell(emu=emu, slack=slack, runtime=runtime, server=server, driver=driver, clock=clock)


@contextmanager
def running_firebell(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, policy: Policy, **kwargs: Any
) -> Iterator[Firebell]:
    """A Firebell that is stopped afterwards."""
    firebell = build_firebell(emu, slack, database_url, policy, **kwargs)
    try:
        yield firebell
    finally:
        firebell.server.stop(15)
