"""Urgent effects go out on time while Slack throttles another method (the emulator's rate tiers on)."""

from collections.abc import Iterator
from functools import partial

import pytest

from firebell.config import policy_from_mapping
from firebell.domain.policy import Policy
from firebell.emulator import SlackEmulator
from firebell.services.cadence import reminder_key
from tests.harness import Firebell, manifest_bot_scopes

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


def test_reminders_go_out_on_time_while_channel_creation_is_throttled(firebell: Firebell) -> None:
    emu = firebell.emu
    for n in (1, 2, 3):
        firebell.driver.slash_command("/incident", f"declare Outage {n}", user="alice", channel="general")
    firebell.war_room(1)
    firebell.war_room(2)
    firebell.wait_for(
        lambda: [c for c in emu.calls_to("conversations.create") if c.status == 429], what="a throttled war room"
    )
    for number in (1, 2):
        room = firebell.war_room(number).id
        firebell.wait_for(partial(firebell.reminders, room), timeout=6, what=f"INC-{number}'s reminder")
    posts = {
        str(((c.args.get("metadata") or {}).get("event_payload") or {}).get("key")): c.at
        for c in emu.calls_to("chat.postMessage")
        if c.status == 200
    }
    for number in (1, 2):
        incident = firebell.incident(number)
        due = incident.declared_at.timestamp() + 2
        key = reminder_key(incident.id, incident.declared_at, 1, "room")
        assert key in posts
        # Before its next due point (the benchmark times it to the millisecond), while the third war room
        # still waits out conversations.create's minute.
        assert posts[key] < due + 2
    # Channel creation is still held back, and was not asked again and again meanwhile.
    assert firebell.incident(3).channel_id is None
    assert len([c for c in emu.calls_to("conversations.create") if c.status == 429]) == 1
