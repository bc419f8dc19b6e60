"""What the war room and the announcement channel are told as a page runs: real notice effects, queued in a
transaction as the paging engine queues them, delivered to the emulator."""

import json
from typing import Any

from sqlalchemy import select

from firebell.domain.timeline import EventKind
from firebell.services.effects import EffectKind, enqueue, enqueue_notice, lane
from firebell.services.timeline import record_event
from firebell.slack.blocks.page_notices import answer_time, people
from firebell.store.models import Incident
from tests.harness import Firebell


def _notice(firebell: Firebell, number: int, notice: str, data: dict[str, Any], kind: EventKind) -> None:
    now = firebell.runtime.ctx.clock()
    with firebell.runtime.ctx.db.transaction() as session:
        incident = session.scalars(select(Incident).where(Incident.number == number)).one()
        event = record_event(session, incident, kind=kind, at=now, actor=None, text=notice)
        assert event is not None
        enqueue_notice(session, incident, event, notice=notice, now=now, data=data)


def _said(firebell: Firebell, channel: str) -> list[str]:
    return [json.dumps(m.blocks) for m in firebell.bot_messages(channel)]


def test_each_paging_notice_reads_well_in_the_war_room(firebell: Firebell) -> None:
    emu = firebell.emu
    bob, carol = emu.user_id("bob"), emu.user_id("carol")
    firebell.driver.slash_command("/incident", "declare sev1 Checkout down", user="alice", channel="general")
    room = firebell.war_room(1).id
    notices = [
        ("page_started", {"target": "service:checkout", "reason": "p99 <!channel> & up", "paged_by": bob}),
        ("page_notified", {"users": [bob, carol], "via": ["schedule:checkout-primary"], "round": 0, "step": 0}),
        ("page_declined", {"user": carol}),
        ("page_escalated", {"user": bob, "round": 1, "step": 1}),
        ("page_unreachable", {"user": carol, "error": "cannot_dm_bot"}),
        ("page_acknowledged", {"user": bob, "after_seconds": 133}),
        ("page_held", {"service": "checkout", "until": "2026-12-07T16:00:00+00:00"}),
        ("page_resumed", {"service": "checkout"}),
        ("page_ended", {}),
    ]
    for notice, data in notices:
        _notice(firebell, 1, notice, data, EventKind.PAGED)
    firebell.settle()
    said = _said(firebell, room)[-len(notices) :]
    expected = [
        f"<@{bob}> is paging service *checkout*.",
        f"Paged <@{bob}> and <@{carol}> (through schedule *checkout-primary*): step 1.",
        f"<@{carol}> can't take the page: paging the next step now.",
        f"<@{bob}> escalated the page: paging step 2, round 2 now.",
        f"Slack could not deliver the page to <@{carol}> (`cannot_dm_bot`).",
        f"<@{bob}> acknowledged (2m 13s).",
        "*checkout* is in maintenance until <!date^",
        "*checkout*'s maintenance window ended: paging resumed.",
        "Paging stopped: the incident is resolved",
    ]
    for text, want in zip(said, expected, strict=True):
        assert want in text
    assert "<!channel>" not in said[0] and "p99 &lt;!channel&gt; &amp; up" in said[0]


def test_an_unanswered_page_is_an_alarm_in_the_announcement_channel(firebell: Firebell) -> None:
    emu = firebell.emu
    bob = emu.user_id("bob")
    firebell.driver.slash_command("/incident", "declare sev1 Checkout down", user="alice", channel="general")
    room = firebell.war_room(1).id
    now = firebell.runtime.ctx.clock()
    with firebell.runtime.ctx.db.transaction() as session:
        incident = session.scalars(select(Incident)).one()
        payload = {"notice": "page_unanswered", "target": "announcement", "number": 1, "severity": "SEV1"}
        payload |= {"tried": [bob, "U0NOTAUSER"], "page_target": "service:checkout"}
        enqueue(
            session,
            kind=EffectKind.POST_NOTICE,
            lane=lane(incident, "announce"),
            key="test:unanswered",
            now=now,
            incident=incident,
            payload=payload,
        )
    firebell.settle()
    channel = emu.channel_by_name("incidents")
    assert channel is not None
    alarm = _said(firebell, channel.id)[-1]
    assert (
        "*INC-1* (SEV1): nobody acknowledged the page for service *checkout*" in alarm
        and f"Tried <@{bob}> and <@U0NOTAUSER>" in alarm
    )
    assert f"<#{room}>" in alarm
    assert not any("nobody acknowledged" in text for text in _said(firebell, room))


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
