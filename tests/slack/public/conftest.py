"""Fixtures for public updates through the HTTP edge: a policy with services and status-page components."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from firebell.config import policy_from_mapping
from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from tests.clock import Clock
from tests.harness import Firebell, running_firebell

POLICY: dict[str, Any] = {
    "services": [{"name": "checkout", "description": "Payments"}, {"name": "search"}],
    "status_page": {
        "title": "Acme status",
        "public_url": "https://status.acme.example",
        "components": [
            {"name": "Checkout API", "group": "Payments", "services": ["checkout"]},
            {"name": "Website", "services": ["search"]},
            {"name": "Search"},
        ],
    },
    "severities": [
        {
            "name": "SEV1",
            "description": "Significant customer impact",
            "update_interval": "4h",
            "public_update_interval": "30m",
        },
        {
            "name": "SEV2",
            "description": "Partial customer impact",
            "update_interval": "1h",
            "public_update_interval": "1h",
        },
        {"name": "SEV3", "description": "Minor impact", "update_interval": "1h"},
    ],
    "default_severity": "SEV3",
}


@pytest.fixture
def policy() -> Policy:
    return policy_from_mapping(POLICY, source="test")


@pytest.fixture
def clock() -> Clock:
    """Firebell's hand-moved clock (Slack's side keeps the real one)."""
    return Clock(datetime.now(UTC))


@pytest.fixture
def firebell(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, *, policy: Policy, clock: Clock
) -> Iterator[Firebell]:
    """Firebell on the hand-moved clock: its scheduler ticks only when the test says."""
    with running_firebell(emu, slack, database_url, policy, clock=clock) as running:
        yield running
