"""The announcement channel hears when a maintenance window begins and when it completes by the clock, once each,
through the real scheduler on a hand-moved clock; a window called off or ended by hand is not announced again."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from firebell.emulator import EmulatorServer, SlackEmulator
from firebell.services.status_page.maintenance import list_maintenances
from firebell.services.status_page.maintenance_boundaries import announce_maintenance_boundaries
from tests.clock import Clock
from tests.harness import Firebell, running_firebell
from tests.slack.status_page.test_maintenance_command import POLICY, START


@pytest.fixture
def firebell(emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine) -> Iterator[Firebell]:
    with running_firebell(emu, slack, database_url, POLICY, clock=Clock(START)) as running:
        yield running


def told(firebell: Firebell, what: str) -> list[str]:
    incidents = firebell.emu.channel("incidents")
    return [m.text or "" for m in firebell.bot_messages(incidents.id) if what in (m.text or "")]


def schedule(firebell: Firebell, text: str) -> None:
    """Schedule from #general, as anyone would."""
    before = len(told(firebell, "Maintenance scheduled"))
    firebell.driver.slash_command("/incident", f"maintenance {text}", user="alice", channel="general")
    firebell.settle()
    assert len(told(firebell, "Maintenance scheduled")) == before + 1


def test_a_window_is_announced_as_it_begins_and_as_it_completes_once_each(firebell: Firebell) -> None:
    schedule(firebell, "search 2026-12-07 12:00 1h Reindexing search")  # Berlin: 11:00 UTC; it is 09:00 UTC now
    firebell.advance(timedelta(hours=2) - timedelta(seconds=1))
    firebell.settle()
    assert told(firebell, "Maintenance in progress") == []
    firebell.advance(timedelta(seconds=1))
    firebell.settle()
    [begun] = told(firebell, "Maintenance in progress")
    assert "Reindexing search" in begun and "Search" in begun
    firebell.advance(timedelta(minutes=30))
    assert announce_maintenance_boundaries(firebell.runtime.ctx) == 0  # told already: another process finds nothing
    firebell.advance(timedelta(minutes=30))
    firebell.settle()
    [completed] = told(firebell, "Maintenance completed")
    assert "Reindexing search" in completed
    firebell.advance(timedelta(minutes=5))
    firebell.settle()
    assert len(told(firebell, "Maintenance in progress")) == 1 and len(told(firebell, "Maintenance completed")) == 1


def test_a_window_called_off_or_ended_by_hand_is_not_announced_by_the_clock(firebell: Firebell) -> None:
    schedule(firebell, "search 2026-12-07 12:00 1h Called off later")
    schedule(firebell, "Checkout API 2026-12-07 12:00 2h Ended early later")
    ids = {view.title: view.public_id for view in list_maintenances(firebell.runtime.ctx)}
    firebell.driver.slash_command(
        "/incident", f"maintenance cancel {ids['Called off later']}", user="alice", channel="general"
    )
    firebell.advance(timedelta(hours=2))  # both would have begun; one was called off
    firebell.settle()
    assert [t for t in told(firebell, "Maintenance in progress") if "Ended early later" in t]
    assert not [t for t in told(firebell, "Maintenance in progress") if "Called off later" in t]
    firebell.driver.slash_command(
        "/incident", f"maintenance cancel {ids['Ended early later']}", user="bob", channel="general"
    )
    firebell.advance(timedelta(hours=3))  # past both windows' ends
    firebell.settle()
    assert told(firebell, "Maintenance completed") == []  # one was called off, the other said "ended early"
    assert len(told(firebell, "Maintenance ended early")) == 1 and len(told(firebell, "Maintenance called off")) == 1
