"""The Slack the CLI tests' `firebell` processes talk to: the emulator served over HTTP."""

from collections.abc import Iterator

import pytest

from firebell.emulator import EmulatorServer, SlackEmulator


@pytest.fixture
def emu() -> SlackEmulator:
    return SlackEmulator()


@pytest.fixture
def slack(emu: SlackEmulator) -> Iterator[EmulatorServer]:
    server = EmulatorServer(emu)
    server.start()
    yield server
    server.stop()
