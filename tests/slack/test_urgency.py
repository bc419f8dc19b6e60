"""Urgent effects go out while Slack throttles another method (the emulator's rate tiers on). How late they are
is measured by the burst benchmark (bench/burst.py), not here: this test runs beside others on a busy machine."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from sqlalchemy import Engine

from firebell.config import policy_from_mapping
from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from firebell.services.cadence import reminder_key
from tests.clock import Clock
from tests.harness import Firebell, manifest_bot_scopes, running_firebell

POLICY = {
    "severities": [{"name": "SEV1", "description": "Significant customer impact", "update_interval": "2s"}],
    "default_severity": "SEV1",
}


@pytest.fixture
def emu() -> Iterator[SlackEmulator]:
    """Slack with its per-method tiers applied; Tier 2 (conversations.create, setTopic, pins.add) cut
    to 2 a minute so that the third war room is throttled at once."""
    emulator = SlackEmulator(rate_tiers=True)
    emulator.scopes = manifest_bot_scopes()
    emulator.rate_limiter.per_minute["t2"] = 2
    yield emulator
    assert emulator.violations == []


@pytest.fixture
def policy() -> Policy:
    return policy_from_mapping(POLICY, source="test")


@pytest.fixture
def firebell(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, policy: Policy
) -> Iterator[Firebell]:
    """Firebell on a hand-moved clock (Slack's rate limits keep the real one: a throttled method waits out
    its Retry-After in real seconds)."""
    with running_firebell(emu, slack, database_url, policy, clock=Clock(datetime.now(UTC))) as running:
        yield running


def test_reminders_go_out_while_channel_creation_is_throttled(firebell: Firebell) -> None:
    emu = firebell.emu
    for n in (1, 2, 3):
        firebell.driver.slash_command("/incident", f"declare Outage {n}", user="alice", channel="general")
    firebell.war_room(1)
    firebell.war_room(2)
    firebell.wait_for(
        lambda: [c for c in emu.calls_to("conversations.create") if c.status == 429], what="a throttled war room"
    )
    assert firebell.clock is not None
    firebell.clock.advance(timedelta(seconds=2))  # the first update is due in both war rooms
    firebell.tick()
    for number in (1, 2):
        room = firebell.war_room(number).id
        firebell.wait_for(partial(firebell.reminders, room), what=f"INC-{number}'s reminder")
    posts = {
        str(((c.args.get("metadata") or {}).get("event_payload") or {}).get("key"))
        for c in emu.calls_to("chat.postMessage")
        if c.status == 200
    }
    for number in (1, 2):  # the first reminder itself: not skipped as stale, not a later one
        incident = firebell.incident(number)
        assert reminder_key(incident.id, incident.declared_at, 1, "room") in posts
    # Meanwhile the third war room still waits out conversations.create's minute (in real time), and was
    # not asked for again and again.
    assert firebell.incident(3).channel_id is None
    assert len([c for c in emu.calls_to("conversations.create") if c.status == 429]) == 1
