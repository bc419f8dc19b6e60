"""The whole loop on one machine: the Slack emulator, and the real Firebell service talking to it over HTTP."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from firebell.config import Settings, policy_from_mapping
from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackDriver, SlackEmulator
from firebell.emulator.server import AsgiServerThread

if TYPE_CHECKING:
    from firebell.runtime import Runtime

# The demo workspace: a few people with real-looking names, and the channels a workspace starts with.
PEOPLE = (
    ("alice", "Alice Moreau"),
    ("bob", "Bob Okafor"),
    ("carol", "Carol Lindqvist"),
    ("dave", "Dave Tanaka"),
    ("erin", "Erin Walsh"),
)
CHANNELS = ("general", "incidents", "random")

# Second-scale cadences, so an overdue-update reminder fires while you watch.
SEV1_UPDATE_SECONDS = 10
DEMO_POLICY: dict[str, Any] = {
    "announcement_channel": "incidents",
    "channel_prefix": "inc",
    "default_severity": "SEV3",
    "bridge_url": "https://meet.example.com/inc-{number}",
    "severities": [
        {
            "name": "SEV1",
            "description": "Significant customer-facing impact: a core journey is down or badly degraded for many",
            "update_interval": f"{SEV1_UPDATE_SECONDS}s",
            "public_update_interval": "1m",
        },
        {
            "name": "SEV2",
            "description": "Partial customer impact: a feature is degraded or some customers are affected",
            "update_interval": "45s",
            "public_update_interval": "2m",
        },
        {"name": "SEV3", "description": "Minor customer impact with a workaround", "update_interval": "2m"},
        {"name": "SEV4", "description": "No customer impact: internal tooling, a near miss", "update_interval": 0},
    ],
    "cadence": {"snooze_options": ["1m", "5m"]},
    # The public status page's components; its public_url is the running demo's own /status unless set.
    "status_page": {
        "title": "Acme status",
        "components": [
            {"name": "Checkout", "group": "Payments", "description": "Card payments and the checkout pages"},
            {"name": "Website"},
            {"name": "Public API"},
        ],
    },
}

# Deliver quickly: the demo is watched, not load-tested.
GATEWAY_OPTIONS = {"poll_interval": 0.05, "max_backoff": 0.4, "workers": 4}
SCHEDULER_OPTIONS = {"tick": 0.2}
QUIET_LOGGERS = ("firebell", "slack_bolt", "slack_sdk", "apscheduler", "uvicorn", "sqlalchemy", "alembic")


# The playground's cadences: slow enough to type between reminders, quick enough to see one.
PLAYGROUND_INTERVALS = {"SEV1": "30s", "SEV2": "1m", "SEV3": "2m"}

# Something for `/oncall` to answer about: two services and two schedules of the demo's people.
PLAYGROUND_ONCALL: dict[str, Any] = {
    "services": [{"name": "checkout", "description": "Payments and checkout API"}, {"name": "search"}],
    "schedules": [
        {
            "name": "checkout-primary",
            "time_zone": "Europe/Berlin",
            "layers": [
                {
                    "members": ["alice@firebell.test", "bob@firebell.test", "carol@firebell.test"],
                    "rotate_every": "1w",
                    "handoff": "mon 09:00",
                    "start": "2026-01-05",
                    "only": "mon-fri 08:00-20:00",
                },
                {"members": ["dave@firebell.test"]},
            ],
        },
        {
            "name": "search",
            "layers": [
                {
                    "members": ["dave@firebell.test", "erin@firebell.test"],
                    "rotate_every": "1d",
                    "handoff": "09:00",
                    "start": "2026-01-01",
                }
            ],
        },
    ],
}


def demo_policy(update_intervals: dict[str, str] | None = None, extra: dict[str, Any] | None = None) -> Policy:
    """The demo's policy: the default severities with second-scale update cadences (or these
    `update_intervals` by severity name), plus the `extra` keys given; no runbooks_dir, so the shipped runbooks."""
    raw = {**DEMO_POLICY, **(extra or {})}
    raw["severities"] = [
        {**sev, "update_interval": (update_intervals or {}).get(sev["name"], sev["update_interval"])}
        for sev in DEMO_POLICY["severities"]
    ]
    return policy_from_mapping(raw, source="demo policy")


def demo_workspace() -> SlackEmulator:
    """A fresh emulated workspace with the demo people and channels (the bot is in #general only)."""
    emu = SlackEmulator(seed=False)
    humans = [emu.add_user(name, real_name=real_name) for name, real_name in PEOPLE]
    emu.add_channel("general", [*humans, emu.bot_user_id], creator=humans[0], is_general=True)
    for name in CHANNELS[1:]:
        emu.add_channel(name, humans, creator=humans[0])
    return emu


def _free_port() -> int:
    """A loopback TCP port nobody listens on now (the service's, known before its policy is built)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    """A running emulator, the Firebell service talking to it, and a driver that plays Slack's side."""

    emu: SlackEmulator
    slack: EmulatorServer
    runtime: Runtime
    service: AsgiServerThread
    driver: SlackDriver
    database_url: str
    policy: Policy

    @property
    def status_url(self) -> str:
        """Where the public status page is (the demo's own /status unless the policy names another)."""
        return f"{self.policy.status_page.public_url or self.service.url}/status"

    def busy(self) -> bool:
        """Whether Firebell still has work queued now: a Slack request in its inbox not yet carried out, or
        an effect due for Slack not yet delivered (one held for later, a retry or a coalesced edit, is not)."""
        from sqlalchemy import exists, select

        from firebell.store.models import Effect, InboxEntry

        now = self.runtime.ctx.clock()
        with self.runtime.ctx.db.read() as session:
            inbox = exists().where(InboxEntry.status == "pending")
            outbox = exists().where(Effect.status == "pending", Effect.next_attempt_at <= now)
            return bool(session.scalar(select(inbox | outbox)))


@contextmanager
def quiet_service_logs(level: int = logging.WARNING) -> Iterator[None]:
    """Keep the service's own logs out of the transcript (warnings and errors still show), then restore them."""
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(level)
    try:
        yield
    finally:
        for logger, previous in zip(loggers, before, strict=True):
            logger.setLevel(previous)


@contextmanager
def running_stack(database_url: str | None = None, policy: Policy | None = None) -> Iterator[Stack]:
    """Start the emulator and Firebell (on `database_url`, else $DATABASE_URL, else a temporary SQLite
    file that is deleted afterwards); stop both and clean up on exit."""
    from firebell.api.app import create_app
    from firebell.runtime import build_runtime

    policy = policy or demo_policy()
    database_url = database_url or os.environ.get("DATABASE_URL") or None
    temp_dir = None
    if database_url is None:
        temp_dir = tempfile.mkdtemp(prefix="firebell-demo-")
        database_url = f"sqlite:///{temp_dir}/firebell.db"
    port = _free_port()
    if policy.status_page.public_url is None:  # links in Slack lead to this running demo's status page
        page = policy.status_page.model_copy(update={"public_url": f"http://127.0.0.1:{port}"})
        policy = policy.model_copy(update={"status_page": page})
    with quiet_service_logs(), ExitStack() as cleanup:
        if temp_dir is not None:
            cleanup.callback(shutil.rmtree, temp_dir, ignore_errors=True)
        emu = demo_workspace()
        slack = EmulatorServer(emu)
        slack.start()
        cleanup.callback(slack.stop)
        settings = Settings(
            slack_bot_token=emu.bot_token,
            slack_signing_secret=emu.signing_secret,
            slack_api_url=slack.api_url,
            database_url=database_url,
            firebell_api_token=None,
        )
        runtime = build_runtime(settings, policy, gateway_options=GATEWAY_OPTIONS, scheduler_options=SCHEDULER_OPTIONS)
        cleanup.callback(runtime.ctx.db.dispose)
        service = AsgiServerThread(create_app(runtime), port=port, lifespan=True)
        service.start(timeout=30)
        cleanup.callback(service.stop, 15)  # the app's lifespan stops the scheduler and the outbox gateway
        driver = SlackDriver(emu, slack, app_url=f"{service.url}/slack/events")
        cleanup.callback(driver.close)
        yield Stack(
            emu=emu,
            slack=slack,
            runtime=runtime,
            service=service,
            driver=driver,
            database_url=database_url,
            policy=policy,
        )
