"""Liveness (/healthz) and readiness (/readyz): a wrong bot token, a silent scheduler or stuck work is not ready."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine

from firebell.api.app import create_app
from firebell.api.readiness import STUCK_AFTER, readiness, scheduler_check, stuck_work_check
from firebell.config import Settings
from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from firebell.emulator.server import AsgiServerThread
from firebell.runtime import Runtime, build_runtime
from firebell.services.context import Context
from firebell.store.models import Effect, InboxEntry
from tests.clock import Clock
from tests.harness import FAST_SCHEDULER, Firebell


def test_ready_when_everything_works(firebell: Firebell) -> None:
    assert httpx.get(f"{firebell.url}/healthz").json()["status"] == "ok"
    firebell.wait_for(lambda: firebell.runtime.scheduler.last_tick_at is not None, what="a scheduler tick")
    response = httpx.get(f"{firebell.url}/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "slack": "ok", "scheduler": "ok", "outbox": "ok", "inbox": "ok"},
    }


@contextmanager
def serving_with_bot_token(
    token: str, emu: SlackEmulator, slack: EmulatorServer, database_url: str
) -> Iterator[tuple[Runtime, str]]:
    """Firebell serving HTTP with this bot token (Slack knows only the emulator's own); (runtime, its URL)."""
    settings = Settings(
        slack_bot_token=token,
        slack_signing_secret=emu.signing_secret,
        slack_api_url=slack.api_url,
        database_url=database_url,
    )
    runtime = build_runtime(settings, Policy(), scheduler_options=FAST_SCHEDULER)
    server = AsgiServerThread(create_app(runtime), lifespan=True)
    server.start()
    try:
        assert runtime._warmup is not None
        runtime._warmup.join(10)  # the start-up auth.test has been answered
        yield runtime, server.url
    finally:
        server.stop(15)
        emu.clear_log()  # the refused calls are the point of these tests, not a Firebell bug


def test_a_wrong_bot_token_is_alive_but_not_ready(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine
) -> None:
    with serving_with_bot_token("xoxb-pasted-wrong", emu, slack, database_url) as (_, url):
        assert httpx.get(f"{url}/healthz").status_code == 200
        response = httpx.get(f"{url}/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["not_ready"] == ["slack"]
    assert body["checks"]["slack"] == "auth.test failed: invalid_auth"
    assert "slack: auth.test failed: invalid_auth" in body["detail"]


def test_startup_logs_slacks_error_code(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING), serving_with_bot_token("xoxb-pasted-wrong", emu, slack, database_url):
        pass
    assert "auth.test failed: invalid_auth (check SLACK_BOT_TOKEN)" in caplog.text
    assert "pasted-wrong" not in caplog.text


def test_a_scheduler_that_stopped_ticking_is_not_ready() -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert scheduler_check(now - timedelta(seconds=5), 0.25, now) is None
    assert scheduler_check(now - timedelta(seconds=95), 0.25, now) == "last ticked 95 s ago"
    assert scheduler_check(None, 0.25, now) == "has not ticked yet"
    assert scheduler_check(None, 0.25, now, started_at=now - timedelta(seconds=2)) is None  # starting up
    assert scheduler_check(None, 0.25, now, started_at=now - timedelta(seconds=31)) == "has not ticked yet"
    assert scheduler_check(None, None, now) is None  # ticks on demand (a hand-moved clock)


def test_readiness_names_every_failing_check() -> None:
    ready, body = readiness({"database": None, "slack": "auth.test failed: invalid_auth", "outbox": "3 stuck"})
    assert not ready
    assert body["not_ready"] == ["outbox", "slack"]
    assert body["checks"] == {"database": "ok", "slack": "auth.test failed: invalid_auth", "outbox": "3 stuck"}
    assert body["detail"] == "Not ready: slack: auth.test failed: invalid_auth; outbox: 3 stuck."
    assert readiness({"database": None}) == (True, {"status": "ready", "checks": {"database": "ok"}})


def test_work_overdue_past_the_limit_is_stuck(ctx: Context, clock: Clock) -> None:
    now = clock()
    with ctx.db.transaction() as session:
        for age in (STUCK_AFTER - timedelta(seconds=1), STUCK_AFTER + timedelta(seconds=1)):
            key = f"k{age.total_seconds()}"
            session.add(
                Effect(
                    lane="x",
                    kind="post",
                    payload={},
                    idem_key=key,
                    status="pending",
                    next_attempt_at=now - age,
                    created_at=now - age,
                )
            )
            session.add(
                InboxEntry(key=key, kind="command", lane="x", payload={}, status="pending", received_at=now - age)
            )
        session.add(
            Effect(
                lane="x",
                kind="post",
                payload={},
                idem_key="done",
                status="done",
                next_attempt_at=now - 2 * STUCK_AFTER,
                created_at=now - 2 * STUCK_AFTER,
            )
        )
    assert stuck_work_check(ctx) == {
        "outbox": "1 Slack effects overdue by more than 5 minutes",
        "inbox": "1 commands waiting for more than 5 minutes",
    }
    clock.advance(-STUCK_AFTER)
    assert stuck_work_check(ctx) == {"outbox": None, "inbox": None}
