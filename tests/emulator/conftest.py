"""Fixtures: one emulator server per session, a fresh seeded emulator attached to it per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from firebell.emulator import AsgiServerThread, EmulatorServer, SlackDriver, SlackEmulator

from .receiver import Receiver

TOKEN = "xoxb-test-token"
SECRET = "test-secret"


@pytest.fixture(scope="session")
def shared_server() -> Iterator[EmulatorServer]:
    """The emulator's HTTP front, started once."""
    with EmulatorServer(SlackEmulator()) as running:
        yield running


@pytest.fixture
def emu(shared_server: EmulatorServer) -> SlackEmulator:
    """A freshly seeded emulator, served by the shared server."""
    fresh = SlackEmulator(bot_token=TOKEN, signing_secret=SECRET, team_id="T0FIREBELL")
    shared_server.attach(fresh)
    return fresh


@pytest.fixture
def server(emu: SlackEmulator, shared_server: EmulatorServer) -> EmulatorServer:
    """The server, serving this test's emulator."""
    return shared_server


@pytest.fixture
def client(server: EmulatorServer) -> WebClient:
    """The same client Firebell uses, pointed at the emulator (no retry handlers, to see raw behaviour)."""
    return WebClient(token=TOKEN, base_url=server.api_url, retry_handlers=[])


@pytest.fixture(scope="session")
def shared_receiver() -> Iterator[tuple[Receiver, AsgiServerThread]]:
    """A signature-checking app that records deliveries, started once."""
    receiver = Receiver(SECRET)
    with AsgiServerThread(receiver.app()) as app:
        yield receiver, app


@pytest.fixture
def receiver(shared_receiver: tuple[Receiver, AsgiServerThread]) -> Receiver:
    """The recording app, reset for this test."""
    receiver, _ = shared_receiver
    receiver.received.clear()
    receiver.reply, receiver.delay = None, 0.0
    return receiver


@pytest.fixture
def driver(
    emu: SlackEmulator, server: EmulatorServer, receiver: Receiver, shared_receiver: tuple[Receiver, AsgiServerThread]
) -> Iterator[SlackDriver]:
    """A driver delivering to the recording app."""
    _, app = shared_receiver
    with SlackDriver(emu, server, app_url=f"{app.url}/slack/events") as running:
        yield running
