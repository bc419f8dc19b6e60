"""Readiness: whether this process can do its job now (database, Slack's auth.test, scheduler, outbox, inbox).

Liveness (`/healthz`) only says the process answers; a load balancer or orchestrator routes traffic by
readiness (`/readyz`), which names every check that fails so an operator knows where to look.
"""

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import func, select, text

from firebell.services.context import Context
from firebell.slack.outbox.directory import slack_error_code
from firebell.store.models import Effect, InboxEntry

# Work that has been due this long without being done is stuck (delivery backs off for at most minutes).
STUCK_AFTER = timedelta(minutes=5)
# A successful auth.test is trusted this long, so frequent probes do not call Slack every time.
SLACK_CHECK_TTL = 30.0


@dataclass
class SlackAuthProbe:
    """Calls auth.test (remembering a pass for a while) and says Slack's error code when it fails."""

    client: WebClient
    ttl: float = SLACK_CHECK_TTL
    _passed_at: float | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def check(self) -> str | None:
        """None when the bot token works; otherwise what Slack said."""
        with self._lock:
            if self._passed_at is not None and time.monotonic() - self._passed_at < self.ttl:
                return None
        try:
            self.client.auth_test()
        except (SlackApiError, OSError) as exc:
            with self._lock:
                self._passed_at = None
            return f"auth.test failed: {slack_error_code(exc)}"
        with self._lock:
            self._passed_at = time.monotonic()
        return None


def database_check(ctx: Context) -> str | None:
    """None when the database answers a query."""
    try:
        with ctx.db.read() as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means not ready; its message may hold the URL, so only its kind
        return f"unreachable ({type(exc).__name__})"
    return None


def stuck_work_check(ctx: Context) -> dict[str, str | None]:
    """Outbox effects due and inbox requests received more than STUCK_AFTER ago and still pending."""
    cutoff = ctx.clock() - STUCK_AFTER
    try:
        with ctx.db.read() as session:
            effects = session.scalar(
                select(func.count()).where(Effect.status == "pending", Effect.next_attempt_at < cutoff)
            )
            commands = session.scalar(
                select(func.count()).where(InboxEntry.status == "pending", InboxEntry.received_at < cutoff)
            )
    except Exception as exc:  # reported once, under database
        return {"outbox": f"cannot tell ({type(exc).__name__})", "inbox": f"cannot tell ({type(exc).__name__})"}
    minutes = int(STUCK_AFTER.total_seconds() // 60)
    return {
        "outbox": f"{effects} Slack effects overdue by more than {minutes} minutes" if effects else None,
        "inbox": f"{commands} commands waiting for more than {minutes} minutes" if commands else None,
    }


def scheduler_check(
    last_tick: datetime | None, tick_seconds: float | None, now: datetime, started_at: datetime | None = None
) -> str | None:
    """None when the scheduler ticked recently, or started too lately to have been expected to (a busy process's
    first tick may come a moment after its first readiness probe), or ticks only on demand (tests on a hand-moved
    clock)."""
    if tick_seconds is None:
        return None
    allowed = timedelta(seconds=max(30.0, 20 * tick_seconds))
    if last_tick is None:
        if started_at is not None and now - started_at <= allowed:
            return None
        return "has not ticked yet"
    if now - last_tick > allowed:
        return f"last ticked {int((now - last_tick).total_seconds())} s ago"
    return None


def readiness(outcomes: dict[str, str | None]) -> tuple[bool, dict[str, Any]]:
    """From each check's problem (None when fine): (ready, the JSON body naming what is not ready)."""
    failing = {name: problem for name, problem in outcomes.items() if problem is not None}
    body: dict[str, Any] = {
        "status": "not ready" if failing else "ready",
        "checks": {name: problem or "ok" for name, problem in outcomes.items()},
    }
    if failing:
        body["not_ready"] = sorted(failing)
        body["detail"] = "Not ready: " + "; ".join(f"{name}: {problem}" for name, problem in failing.items()) + "."
    return not failing, body
