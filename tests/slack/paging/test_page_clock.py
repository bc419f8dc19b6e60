"""A page nobody answers escalates on the clock, through the real pager and outbox, and resolving ends it."""

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from firebell.emulator import EmulatorServer, SlackEmulator
from tests.clock import Clock
from tests.harness import running_firebell
from tests.slack.paging.conftest import BOB, CAROL, declare_checkout, page_dms, paging_policy, said, wait_for_dm


def test_an_unanswered_page_escalates_on_time_and_resolving_ends_it(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine
) -> None:
    clock = Clock(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    with running_firebell(emu, slack, database_url, paging_policy(), clock=clock) as firebell:
        room = declare_checkout(firebell)
        wait_for_dm(firebell, BOB)
        firebell.advance(timedelta(minutes=4, seconds=59))
        firebell.settle()
        assert page_dms(firebell, CAROL) == []  # step 1 waits its 5 minutes
        firebell.advance(timedelta(seconds=1))
        [carols] = wait_for_dm(firebell, CAROL)
        firebell.settle()
        assert f"Paged <@{CAROL}> (through schedule *secondary*): step 2." in said(firebell, room)
        firebell.driver.slash_command("/incident", "resolve Fixed", user="alice", channel=room)
        firebell.advance(timedelta(hours=1))
        firebell.settle()
        assert (len(page_dms(firebell, BOB)), len(page_dms(firebell, CAROL))) == (1, 1)  # nobody paged after resolve
        kinds = [kind for kind, _, _ in firebell.timeline(1)]
        assert "page_ended" in kinds and "page_unanswered" not in kinds
        # Both DMs were edited by the resolve: no button left to press, and why.
        for dm in (*page_dms(firebell, BOB), carols):
            assert not [b for b in dm.blocks if b.get("type") == "actions"]
            assert "INC-1 is resolved: this page ended, nothing to do." in json.dumps(dm.blocks)
