"""The on-call policy keys: the issue's example parses; every mistake names the key, what is expected and
what was found."""

from datetime import UTC, datetime
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from firebell.domain.oncall import on_call_at
from firebell.domain.oncall.config import OnCallPolicy

EXAMPLE = """
services:
  - name: checkout
    description: Payments and checkout API
    escalation_policy: checkout
schedules:
  - name: checkout-primary
    time_zone: Europe/Berlin
    layers:
      - members: [U01ALICE, U02BOB, carol@example.com]
        rotate_every: 1w
        handoff: "mon 09:00"
        start: 2026-01-05
        only: "mon-fri 08:00-20:00"
      - members: [U03DAVE]                               # a later layer covers what it restricts
  - name: checkout-secondary
    layers:
      - members: [U04ERIN]
        rotate_every: 1d
        handoff: "09:00"
        start: 2026-01-05
escalation_policies:
  - name: checkout
    steps:
      - notify: [schedule:checkout-primary]
        escalate_after: 5m
      - notify: [schedule:checkout-secondary, user:U04ERIN]
        escalate_after: 10m
    repeat: 2
paging:
  page_on_declare: SEV2
"""
SEVERITIES = ["SEV1", "SEV2", "SEV3", "SEV4"]


def load(text: str = EXAMPLE, **changes: Any) -> OnCallPolicy:
    data = yaml.safe_load(text)
    data.update(changes)
    policy = OnCallPolicy.model_validate(data)
    policy.check(SEVERITIES)
    return policy


def test_the_issue_example_parses_and_answers() -> None:
    policy = load()
    primary = policy.schedule("checkout-primary")
    assert primary is not None and policy.escalation_policies[0].repeat == 2
    weekday_noon = datetime(2026, 1, 14, 11, 0, tzinfo=UTC)  # Wednesday 12:00 in Berlin: week 2, Bob
    assert on_call_at(primary.schedule(), weekday_noon).users == ("U02BOB",)
    saturday = datetime(2026, 1, 17, 11, 0, tzinfo=UTC)  # outside the restriction: the second layer
    assert on_call_at(primary.schedule(), saturday).users == ("U03DAVE",)


def schedule_with(**layer: Any) -> list[dict[str, Any]]:
    return [{"name": "s", "layers": [{"members": ["U01ALICE"], "start": "2026-01-05", **layer}]}]


@pytest.mark.parametrize(
    ("changes", "fragments"),
    [
        ({"schedules": schedule_with(members=[])}, ["members", "at least 1"]),
        (
            {"schedules": [{"name": "s", "layers": [{"members": ["U01ALICE", "U02BOB"]}]}]},
            ["start: needed when members take turns"],
        ),
        ({"schedules": schedule_with(members=["alice"])}, ["members", "Slack user id", "'alice'"]),
        ({"schedules": schedule_with(rotate_every="1y")}, ["rotation length", "'1y'"]),
        ({"schedules": schedule_with(handoff="mon 09:00", rotate_every="1d")}, ["weeks"]),
        ({"schedules": schedule_with(only="weekdays")}, ["expected windows", "'weekdays'"]),
        ({"schedules": [{"name": "s", "time_zone": "Mars/Olympus", "layers": []}]}, ["time_zone", "IANA"]),
        ({"schedules": [{"name": "Bad Name", "layers": []}]}, ["name", "lowercase"]),
        ({"paging": {"page_on_declare": "SEV9"}}, ["paging.page_on_declare", "SEV9", "SEV1"]),
        ({"paging": {"incident_commanders": "ic"}}, ["paging.incident_commanders", "'ic' does not exist"]),
        (
            {"services": [], "escalation_policies": [{"name": "p", "steps": [{"notify": ["schedule:nope"]}]}]},
            ["steps[0].notify", "'nope' does not exist"],
        ),
        (
            {"escalation_policies": [{"name": "p", "steps": [{"notify": ["policy:checkout"]}]}]},
            ["schedule:checkout-primary or user:U04ERIN", "policy:checkout"],
        ),
        (
            {"escalation_policies": [{"name": "p", "steps": [{"notify": ["user:U01ALICE"], "escalate_after": "10s"}]}]},
            ["at least 30s"],
        ),
        ({"services": [{"name": "checkout", "escalation_policy": "nope"}]}, ["services[0] (checkout)", "'nope'"]),
        ({"services": [{"name": "a"}, {"name": "a"}]}, ["services: names must be unique", "'a'"]),
    ],
)
def test_mistakes_name_the_key_and_what_is_valid(changes: dict[str, Any], fragments: list[str]) -> None:
    with pytest.raises((ValidationError, ValueError)) as caught:
        load(**changes)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
