"""Fixtures for tests through the real HTTP edge against the Slack emulator."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from tests.harness import Firebell, manifest_bot_scopes, running_firebell


@pytest.fixture
def emu() -> Iterator[SlackEmulator]:
    """A fresh fake Slack workspace; any call that breaks Slack's rules fails the test.

    The bot holds exactly the scopes the committed app manifest asks for, so a call needing
    a scope the manifest lacks fails with missing_scope.
    """
    emulator = SlackEmulator()
    emulator.scopes = manifest_bot_scopes()
    yield emulator
    assert emulator.violations == [], "Firebell made calls that break Slack's rules"


@pytest.fixture
def slack(emu: SlackEmulator) -> Iterator[EmulatorServer]:
    """The emulator served over HTTP."""
    server = EmulatorServer(emu)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def policy() -> Policy:
    """The policy Firebell runs with, and the shipped runbooks (tests override this fixture to change it)."""
    return Policy(bridge_url="https://meet.example.com/inc-{number}")


@pytest.fixture
def firebell(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, policy: Policy
) -> Iterator[Firebell]:
    """Firebell serving HTTP on a loopback port, talking to the emulator."""
    with running_firebell(emu, slack, database_url, policy) as running:
        yield running
