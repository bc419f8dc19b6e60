"""What the war room and the announcement's thread are told as a page runs: notices queued by the engine's own
`post_notice` (payloads as the engine writes them), delivered to the emulator."""

import json
from typing import Any

from sqlalchemy import select

from firebell.services.paging.records import post_notice
from firebell.slack.blocks.page_notices import answer_time, people
from firebell.store.models import Incident
from tests.harness import Firebell


def _notice(firebell: Firebell, notice: str, data: dict[str, Any], *, announce: bool = False) -> None:
    now = firebell.runtime.ctx.clock()
    with firebell.runtime.ctx.db.transaction() as session:
        incident = session.scalars(select(Incident).where(Incident.number == 1)).one()
        key = f"test:{notice}:{json.dumps(data, sort_keys=True)}"
        post_notice(session, incident, notice=notice, key=key, now=now, data=data, announce=announce)


def _said(firebell: Firebell, channel: str) -> list[str]:
    return [json.dumps(m.blocks) for m in firebell.bot_messages(channel)]


def test_each_paging_notice_reads_well_in_the_war_room(firebell: Firebell) -> None:
    emu = firebell.emu
    bob, carol = emu.user_id("bob"), emu.user_id("carol")
    firebell.driver.slash_command("/incident", "declare sev1 Checkout down", user="alice", channel="general")
    room = firebell.war_room(1).id
    moved = {"round": 1, "step": 1, "to_round": 2, "to_step": 2}
    notices: list[tuple[str, dict[str, Any], str]] = [
        (
            "page_started",
            {"page_target": "service:checkout", "reason": "p99 <!channel> & up", "paged_by": bob},
            f"<@{bob}> is paging service *checkout*.",
        ),
        (
            "page_notified",
            {"users": [bob, carol], "via": ["schedule:checkout-primary"], "nobody": [], "round": 1, "step": 1},
            f"Paged <@{bob}> and <@{carol}> (through schedule *checkout-primary*): step 1.",
        ),
        (
            "page_notified",
            {"users": [], "via": [], "nobody": ["schedule:nights"], "round": 1, "step": 2},
            "Nobody to page at step 2: moving on to the next step.",
        ),
        ("page_declined", {"user": carol, **moved}, f"<@{carol}> can't take the page: paging step 2, round 2 now."),
        (
            "page_escalated",
            {"user": bob, "round": 2, "step": 2, "exhausted": True},
            "nobody is left to page: the escalation has run through every step.",
        ),
        (
            "page_unreachable",
            {"user": carol, "error": "cannot_dm_bot", "round": 1, "step": 1},
            f"Slack could not deliver the page to <@{carol}> (`cannot_dm_bot`).",
        ),
        ("page_acknowledged", {"user": bob, "after_seconds": 133, "first": True}, f"<@{bob}> acknowledged (2m 13s)."),
        ("page_acknowledged", {"user": carol, "after_seconds": 140, "first": False}, "acknowledged too (2m 20s)."),
        (
            "page_held",
            {"service": "checkout", "until": "2026-12-07T16:00:00+00:00"},
            "*checkout* is in maintenance until <!date^",
        ),
        ("page_resumed", {"service": "checkout"}, "*checkout*'s maintenance window ended: paging resumed."),
    ]
    for notice, data, _ in notices:
        _notice(firebell, notice, data)
    firebell.settle()
    said = _said(firebell, room)[-len(notices) :]
    for text, (notice, _, want) in zip(said, notices, strict=True):
        assert want in text, notice
    assert "<!channel>" not in said[0] and "p99 &lt;!channel&gt; &amp; up" in said[0]
    assert "Nobody is on call for schedule *nights*." in said[2]


def test_an_unanswered_page_is_an_alarm_in_the_room_and_the_announcement_thread(firebell: Firebell) -> None:
    emu = firebell.emu
    bob = emu.user_id("bob")
    firebell.driver.slash_command("/incident", "declare sev1 Checkout down", user="alice", channel="general")
    room = firebell.war_room(1).id
    firebell.settle()
    data = {"page_target": "service:checkout", "tried": [bob, "U0NOTAUSER"]}
    _notice(firebell, "page_unanswered", data, announce=True)
    firebell.settle()
    in_room = _said(firebell, room)[-1]
    assert "Nobody acknowledged the page for service *checkout*. Tried <@U0BOB00000> and <@U0NOTAUSER>." in in_room
    assert "/incident page" in in_room
    incident = firebell.incident(1)
    thread = [
        json.dumps(m.blocks)
        for m in emu.messages(incident.announcement_channel_id or "")
        if m.thread_ts == incident.announcement_ts and m.ts != incident.announcement_ts
    ]
    assert any("*INC-1*: Nobody acknowledged the page for service *checkout*" in t for t in thread)


def test_durations_and_lists_of_people() -> None:
    assert [answer_time(s) for s in (0, 45, 60, 133, 3600 + 300, "x")] == [
        "0s",
        "45s",
        "1m",
        "2m 13s",
        "1h 5m",
        "time unknown",
    ]
    many = [f"U0USER{i:03d}" for i in range(20)]
    assert people(many).endswith("and 5 more") and people([]) == "nobody" and people(["bad id"]) == "someone"
