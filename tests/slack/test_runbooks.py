"""Runbooks in the war room: suggestions, the chooser, the checklist and its steps, review reminders."""

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from firebell.domain.errors import UsageError
from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from firebell.services.runbooks import complete_step
from tests.harness import Firebell, running_firebell
from tests.slack.test_action_items import ack_with_buttons
from tests.slack.test_war_room import command


def declare(firebell: Firebell, title: str) -> str:
    firebell.driver.slash_command("/incident", f"declare sev2 {title}", user="alice", channel="general")
    room = firebell.war_room(1)
    firebell.settle()
    return room.id


def kickoff_blocks(firebell: Firebell) -> list[dict[str, object]]:
    incident = firebell.incident(1)
    return firebell.emu.message(incident.channel_id or "", incident.kickoff_ts or "").blocks


def test_kickoff_suggests_matching_runbooks(firebell: Firebell) -> None:
    declare(firebell, "Checkout returning 502s after deploy")
    blocks = {b.get("block_id"): b for b in kickoff_blocks(firebell)}
    text = blocks["kickoff.runbooks"]["text"]["text"]  # type: ignore[index]
    assert text.split("\n")[:2] == ["*Suggested runbooks*", "• Elevated HTTP 5xx after a deploy (roll back)"]
    first = blocks["kickoff.runbook_actions"]["elements"][0]  # type: ignore[index]
    assert first["value"] == "http-5xx-after-deploy"


def test_no_suggestion_when_nothing_matches(firebell: Firebell) -> None:
    declare(firebell, "Office coffee machine broken")
    assert not any(str(b.get("block_id", "")).startswith("kickoff.runbook") for b in kickoff_blocks(firebell))


def test_choose_post_and_work_through_a_checklist(firebell: Firebell) -> None:
    emu, driver = firebell.emu, firebell.driver
    team = emu.add_usergroup("platform-oncall", members=("carol",))
    room = declare(firebell, "Payments are slow")
    reply = command(firebell, "runbook tls certificate expired", room)
    assert "Runbooks matching" in reply
    chooser = ack_with_buttons(firebell, "alice")
    values = [b["accessory"]["value"] for b in chooser.blocks if "accessory" in b]
    assert values[0] == "tls-certificate-expiry"
    driver.click("alice", room, chooser.ts, "runbook.post", value="tls-certificate-expiry")
    checklist = firebell.wait_for(
        lambda: next((m for m in firebell.bot_messages(room) if m.text.startswith("Runbook: ")), None),
        what="the checklist",
    )
    firebell.settle()
    buttons = [b["accessory"]["action_id"] for b in checklist.blocks if b.get("accessory")]
    assert buttons[:3] == ["runbook.step_done.1", "runbook.step_done.2", "runbook.step_done.3"]
    assert f"Owner: <!subteam^{team}>" in json.dumps(checklist.blocks)  # the owning team is mentioned, live
    driver.click("bob", room, checklist.ts, "runbook.step_done.2")
    firebell.wait_for(lambda: emu.message(room, checklist.ts).edited >= 1, what="the checklist update")
    updated = emu.message(room, checklist.ts)
    assert "runbook.step_done.2" not in json.dumps(updated.blocks)
    assert f"done by <@{emu.user_id('bob')}>" in json.dumps(updated.blocks)
    steps = [(actor, text) for kind, actor, text in firebell.timeline(1) if kind == "runbook_step"]
    assert len(steps) == 1
    assert steps[0][0] == emu.user_id("bob")
    assert steps[0][1].startswith("TLS certificate")
    with pytest.raises(UsageError, match=r"Step 2 of TLS certificate .* is already done"):  # a double press
        complete_step(firebell.runtime.ctx, run_id=1, step=2, actor=emu.user_id("carol"))


def test_runbook_without_query_uses_the_incident(firebell: Firebell) -> None:
    room = declare(firebell, "Postgres primary down, writes failing")
    command(firebell, "runbook", room)
    chooser = ack_with_buttons(firebell, "alice")
    assert next(b["accessory"]["value"] for b in chooser.blocks if "accessory" in b) == "database-primary-failover"


def test_post_from_the_kickoff_suggestion(firebell: Firebell) -> None:
    room = declare(firebell, "Orders queue backlog growing")
    incident = firebell.incident(1)
    firebell.driver.click("carol", room, incident.kickoff_ts or "", "runbook.post.0")
    firebell.wait_for(
        lambda: any(m.text.startswith("Runbook: Message queue backlog") for m in firebell.bot_messages(room)),
        what="the checklist",
    )
    assert [k for k, _, _ in firebell.timeline(1)][-1] == "runbook_posted"


STALE = """---
title: {title}
services: [search]
keywords: [SearchSlow]
owner: "{owner}"
review_by: 2020-01-01
---

1. Check the search cluster health.
"""


@pytest.fixture
def stale_runbooks(tmp_path: Path, emu: SlackEmulator) -> Path:
    (tmp_path / "search-slow.md").write_text(STALE.format(title="Search is slow", owner=emu.user_id("dave")))
    (tmp_path / "search-down.md").write_text(STALE.format(title="Search is down", owner="@search-team"))
    (tmp_path / "broken.md").write_text("---\ntitle: [unclosed\n---\n")
    return tmp_path


@pytest.fixture
def firebell_with_stale_runbooks(  # noqa: PLR0917 (pytest fixtures)
    emu: SlackEmulator,
    slack: EmulatorServer,
    database_url: str,
    clean_db: Engine,
    stale_runbooks: Path,
    caplog: pytest.LogCaptureFixture,
) -> Iterator[Firebell]:
    caplog.set_level(logging.ERROR)
    with running_firebell(emu, slack, database_url, Policy(runbooks_dir=stale_runbooks)) as running:
        yield running


def test_owners_of_stale_runbooks_are_reminded_at_start_without_waiting_for_monday(
    firebell_with_stale_runbooks: Firebell,
) -> None:
    # The weekly reminder lives in memory: a process that was down on Monday morning catches up as it starts.
    firebell = firebell_with_stale_runbooks
    [dm] = firebell.wait_for(lambda: firebell.emu.dms("dave"), what="the start's catch-up reminder to Dave")
    assert "Search is slow" in json.dumps(dm.blocks)


def test_a_malformed_runbook_is_skipped_and_owners_are_reminded_weekly(
    firebell_with_stale_runbooks: Firebell, caplog: pytest.LogCaptureFixture
) -> None:
    firebell = firebell_with_stale_runbooks
    emu = firebell.emu
    assert sorted(r.slug for r in firebell.runtime.shelf.library.all()) == ["search-down", "search-slow"]
    assert any("broken.md" in record.getMessage() for record in caplog.get_records("setup"))
    assert firebell.runtime.scheduler.review_runbooks() == 2
    firebell.settle()
    [dm] = emu.dms("dave")
    assert "Search is slow" in json.dumps(dm.blocks) and "review by 2020-01-01" in json.dumps(dm.blocks)
    announcements = emu.channel_by_name("incidents")
    assert announcements is not None
    team = [m for m in firebell.bot_messages(announcements.id) if "Search is down" in json.dumps(m.blocks)]
    assert len(team) == 1 and "@search-team" in json.dumps(team[0].blocks)
    firebell.runtime.scheduler.review_runbooks()  # the same week: nothing new
    firebell.settle()
    assert len(emu.dms("dave")) == 1
