"""`/oncall` through signed HTTP into /slack/events, on a hand-moved clock, against the Slack emulator."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine

from firebell.config import policy_from_mapping
from firebell.demo.compose import as_slack_sends
from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from tests.clock import Clock
from tests.harness import Firebell, running_firebell

ALICE, BOB, DAVE, ERIN = "U0ALICE000", "U0BOB00000", "U0DAVE0000", "U0ERIN0000"

# Two schedules: the example (Berlin, weekly, weekdays only, Dave covering the rest) with the emulator's
# people, and a daily one in UTC; two services.
POLICY = f"""
services:
  - name: checkout
    escalation_policy: checkout
  - name: search
schedules:
  - name: checkout-primary
    time_zone: Europe/Berlin
    layers:
      - members: [{ALICE}, {BOB}, carol@example.com]
        rotate_every: 1w
        handoff: "mon 09:00"
        start: 2026-01-05
        only: "mon-fri 08:00-20:00"
      - members: [{DAVE}]
  - name: search
    layers:
      - members: [{ERIN}, {BOB}]
        rotate_every: 1d
        handoff: "09:00"
        start: 2026-01-01
escalation_policies:
  - name: checkout
    steps:
      - notify: [schedule:checkout-primary]
"""

# Monday 5 January 2026, 10:00 UTC (11:00 in Berlin): Alice has checkout-primary until 20:00 Berlin (19:00 UTC),
# then Dave; Erin has search until Tuesday 09:00 UTC, then Bob.
START = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def policy_mapping() -> dict[str, Any]:
    """The test policy as the YAML loader reads it."""
    loaded: dict[str, Any] = yaml.safe_load(POLICY)
    return loaded


@pytest.fixture
def policy() -> Policy:
    return policy_from_mapping(policy_mapping(), source="test")


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def firebell(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, *, policy: Policy, clock: Clock
) -> Iterator[Firebell]:
    """Firebell on the hand-moved clock."""
    with running_firebell(emu, slack, database_url, policy, clock=clock) as running:
        yield running


def oncall_answers(firebell: Firebell, text: str, user: str = "alice", room: str = "general") -> list[dict[str, Any]]:
    """Every message the person is shown in answer to `/oncall text`: the ack's, or those posted to the
    command's response_url once Firebell carried it out."""
    typed = as_slack_sends(firebell.emu, text, typed=True)  # `@bob` as Slack sends it: <@U…|bob>
    result = firebell.driver.slash_command("/oncall", typed, user=user, channel=room)
    assert result.acked_in_time
    acked = result.json()
    if isinstance(acked, dict) and (acked.get("text") or acked.get("blocks")):
        return [acked]
    assert firebell.runtime.after_ack.wait_idle(10)
    assert result.response_url is not None
    url_id = result.response_url.rstrip("/").rsplit("/", 1)[-1]
    posts = [p for p in firebell.emu.responses if p.url_id == url_id]
    assert posts, "Firebell acknowledged /oncall but never answered"
    assert all(p.status == 200 for p in posts), [p.error for p in posts]
    assert all(p.body.get("response_type") == "ephemeral" for p in posts)
    return [dict(p.body) for p in posts]


def shown(answers: list[dict[str, Any]]) -> str:
    """What the person reads, as one string with Slack's escapes undone."""
    return json.dumps(answers, ensure_ascii=False).replace("\\n", "\n").replace("&gt;", ">").replace("&lt;", "<")


def oncall(firebell: Firebell, text: str, user: str = "alice") -> str:
    """The answer to `/oncall text`, as the person reads it."""
    return shown(oncall_answers(firebell, text, user=user))
