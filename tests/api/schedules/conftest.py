"""On-call schedule tests: the issue's example schedule, Firebell on a hand-moved clock, REST over real HTTP."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import Engine

from firebell.config import policy_from_mapping
from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from tests.api.conftest import emu, slack
from tests.clock import Clock
from tests.harness import API_TOKEN, Firebell, running_firebell

__all__ = ["emu", "slack"]

# The example (the second layer given a start, which every layer needs).
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
      - members: [U03DAVE]
        start: 2026-01-05
escalation_policies:
  - name: checkout
    steps:
      - notify: [schedule:checkout-primary]
        escalate_after: 5m
      - notify: [user:U04ERIN]
        escalate_after: 10m
    repeat: 2
paging:
  page_on_declare: SEV2
"""


def example_mapping() -> dict[str, Any]:
    """The example as the YAML loader reads it."""
    loaded: dict[str, Any] = yaml.safe_load(EXAMPLE)
    return loaded


@pytest.fixture
def policy() -> Policy:
    return policy_from_mapping(example_mapping(), source="test")


@pytest.fixture
def clock() -> Clock:
    """Thursday 1 January 2026, before the example's first handoff."""
    return Clock(datetime(2026, 1, 1, tzinfo=UTC))


@pytest.fixture
def firebell(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, *, policy: Policy, clock: Clock
) -> Iterator[Firebell]:
    """Firebell on the hand-moved clock."""
    with running_firebell(emu, slack, database_url, policy, clock=clock) as running:
        yield running


def send(firebell: Firebell, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """Any REST call with the API token."""
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    return httpx.request(method, f"{firebell.url}{path}", headers=headers, timeout=10, **kwargs)


def z(moment: datetime) -> str:
    """RFC 3339 in UTC, as the API writes it."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
