"""The update cadence through the HTTP edge, with second-scale intervals in the policy.

Firebell runs on a hand-moved clock here: a test lets time pass (`Firebell.advance`) and the scheduler
ticks when it says, so nothing sleeps and every due point is exact. What Slack (the emulator) saw and what
the store holds are checked as before. One restart test keeps the real clock and the real scheduler.
"""

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from firebell.config import policy_from_mapping
from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from firebell.services.timeline import timeline_of
from tests.clock import Clock
from tests.harness import Firebell, outbox_key, running_firebell

FAST_POLICY: dict[str, Any] = {
    "severities": [
        {"name": "SEV1", "description": "Significant customer impact", "update_interval": "2s"},
        {"name": "SEV2", "description": "Partial customer impact", "update_interval": "30s"},
        {"name": "SEV3", "description": "Minor impact", "update_interval": "1h"},
    ],
    "default_severity": "SEV3",
}
INTERVAL = timedelta(seconds=2)  # SEV1's
SECOND = timedelta(seconds=1)


@pytest.fixture
def policy() -> Policy:
    return policy_from_mapping(FAST_POLICY, source="test")


@pytest.fixture
def clock() -> Clock:
    """Firebell's hand-moved clock, starting at the real time (Slack's side keeps the real clock)."""
    return Clock(datetime.now(UTC))


@pytest.fixture
def firebell(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, *, policy: Policy, clock: Clock
) -> Iterator[Firebell]:
    """Firebell on the hand-moved clock: its scheduler ticks only in `Firebell.advance`."""
    with running_firebell(emu, slack, database_url, policy, clock=clock) as running:
        yield running


def declare(firebell: Firebell, severity: str = "sev1") -> str:
    firebell.driver.slash_command("/incident", f"declare {severity} Checkout failing", user="alice", channel="general")
    return firebell.war_room(1).id


def buttons(message: object) -> list[str]:
    blocks = message.blocks  # type: ignore[attr-defined]
    return [e["text"]["text"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def reminder_events(firebell: Firebell) -> list[tuple[datetime, datetime]]:
    """(recorded at, due point) of every reminder on INC-1's timeline, in order."""
    incident = firebell.incident(1)
    with firebell.runtime.ctx.db.read() as session:
        return [
            (e.at, datetime.fromisoformat(str(e.data["due_at"])))
            for e in timeline_of(session, incident.id)
            if e.kind.value == "reminder" and e.data is not None
        ]


def test_overdue_update_reminds_the_current_ic(firebell: Firebell, clock: Clock) -> None:
    emu = firebell.emu
    declared = clock.now
    room = declare(firebell)
    assert firebell.incident(1).next_update_due_at == declared + INTERVAL
    assert firebell.advance(INTERVAL - timedelta(milliseconds=100)) == 0  # not due yet: nothing sent
    firebell.settle()
    assert firebell.reminders(room) == []
    assert firebell.advance(timedelta(milliseconds=100)) == 1  # the due point itself
    first = firebell.wait_for(lambda: firebell.reminders(room), timeout=6, what="a reminder")[0]
    assert reminder_events(firebell) == [(declared + INTERVAL, declared + INTERVAL)]
    alice, bob = emu.user_id("alice"), emu.user_id("bob")
    assert f"<@{alice}> a status update for *INC-1* is due" in first.text or f"<@{alice}>" in json.dumps(first.blocks)
    assert buttons(first) == ["Post update", "Snooze 15m", "Snooze 30m"]
    firebell.driver.slash_command("/incident", f"ic <@{bob}|bob>", user="alice", channel=room)
    assert firebell.advance(INTERVAL) == 1
    second = firebell.wait_for(lambda: firebell.reminders(room)[1:], timeout=6, what="a second reminder")[0]
    assert f"<@{bob}>" in json.dumps(second.blocks)
    assert "2nd missed update in a row" in json.dumps(second.blocks)
    dm = firebell.wait_for(lambda: emu.dms("bob"), timeout=6, what="a DM to the new IC")
    assert "needs a status update" in json.dumps(dm[-1].blocks)
    announcement_id = firebell.incident(1).announcement_channel_id or ""
    assert firebell.advance(INTERVAL) == 1
    broadcast = firebell.wait_for(
        lambda: [m for m in firebell.bot_messages(announcement_id) if "no status update for" in m.text],
        timeout=8,
        what="the announcement escalation",
    )[0]
    assert broadcast.reply_broadcast
    kinds = [kind for kind, _, _ in firebell.timeline(1)]
    assert kinds.count("reminder") == 3  # one per due point: the ladder's three steps
    assert kinds.count("escalation") == 2  # the DM to the IC, then the announcement
    due_points = [declared + n * INTERVAL for n in (1, 2, 3)]
    assert reminder_events(firebell) == list(zip(due_points, due_points, strict=True))


def test_a_forgotten_incident_is_announced_once_then_reminded_in_the_room(firebell: Firebell) -> None:
    room = declare(firebell)
    announcement_id = ""
    for _ in range(6):  # six due points pass without an update: three past the ladder's last step
        assert firebell.advance(INTERVAL) == 1
        firebell.settle()
        announcement_id = announcement_id or firebell.incident(1).announcement_channel_id or ""
    assert len(firebell.reminders(room)) == 6  # the room hears at every due point
    announced = [m for m in firebell.bot_messages(announcement_id) if "no status update for" in m.text]
    assert len(announced) == 1  # the announcement channel once, at the third miss
    escalations = [text for kind, _, text in firebell.timeline(1) if kind == "escalation"]
    assert escalations == [
        "Reminder sent to the Incident Commander directly",
        "Announced that the incident is without updates",
    ]


def test_an_update_resets_the_timer(firebell: Firebell, clock: Clock) -> None:
    room = declare(firebell)
    for _ in range(4):  # keep posting on time, four seconds in all: no reminder may fire
        firebell.driver.slash_command("/incident", "update still on it", user="alice", channel=room)
        updated = clock.now
        assert firebell.incident(1).next_update_due_at == updated + INTERVAL
        assert firebell.advance(SECOND) == 0
    firebell.settle()
    assert firebell.reminders(room) == []
    assert firebell.advance(SECOND) == 1  # updates stopped: due one interval after the last
    firebell.wait_for(lambda: firebell.reminders(room), timeout=5, what="a reminder once updates stop")
    assert reminder_events(firebell) == [(updated + INTERVAL, updated + INTERVAL)]


def test_snooze_button(firebell: Firebell, clock: Clock) -> None:
    emu = firebell.emu
    room = declare(firebell)
    firebell.advance(INTERVAL)
    reminder = firebell.wait_for(lambda: firebell.reminders(room), timeout=6)[0]
    result = firebell.driver.click("carol", room, reminder.ts, f"incident.snooze.{15 * 60}", value=str(15 * 60))
    assert result.acked_in_time
    firebell.wait_for(
        lambda: "snoozed for 15m" in emu.message(room, reminder.ts).text, what="the reminder to say snoozed"
    )
    snoozed_at = clock.now
    count = len(firebell.reminders(room))
    snoozed = [(actor, text) for kind, actor, text in firebell.timeline(1) if kind == "snoozed"]
    assert snoozed == [(emu.user_id("carol"), "Update reminders snoozed for 15m")]
    assert firebell.incident(1).next_update_due_at == snoozed_at + timedelta(minutes=15)
    # Several intervals pass within the snooze: no reminder.
    assert firebell.advance(3 * INTERVAL) == 0
    assert firebell.advance(timedelta(minutes=15) - 3 * INTERVAL - SECOND) == 0
    firebell.settle()
    assert len(firebell.reminders(room)) == count
    assert firebell.advance(SECOND) == 1  # the snooze is over
    firebell.wait_for(lambda: len(firebell.reminders(room)) == count + 1, what="a reminder after the snooze")
    assert reminder_events(firebell)[-1] == (snoozed_at + timedelta(minutes=15),) * 2


def test_post_update_from_the_reminder(firebell: Firebell, clock: Clock) -> None:
    emu = firebell.emu
    room = declare(firebell)
    firebell.advance(INTERVAL)
    reminder = firebell.wait_for(lambda: firebell.reminders(room), timeout=6)[0]
    firebell.driver.click("alice", room, reminder.ts, "incident.post_update", value="1")
    view = firebell.wait_for(lambda: next((v for v in emu.views.values() if v.callback_id == "incident.update"), None))
    blocks = {b["block_id"]: b for b in view.view["blocks"]}
    assert blocks["severity"]["element"]["initial_option"]["value"] == "SEV1"
    assert blocks["status"]["element"]["initial_option"]["value"] == "investigating"
    clock.advance(SECOND)  # typing the update takes a moment
    firebell.driver.submit_view("alice", view.id, {"text": "DB failover in progress"})
    firebell.wait_for(lambda: firebell.timeline(1)[-1][0] == "update", what="the update")
    incident = firebell.incident(1)
    assert incident.missed_updates == 0
    assert incident.last_update_at == clock.now
    assert incident.next_update_due_at == clock.now + INTERVAL


def test_sev4_style_no_cadence_means_no_reminders(firebell: Firebell) -> None:
    room = declare(firebell, severity="sev3")  # hourly
    assert firebell.advance(timedelta(seconds=2.5)) == 0
    firebell.settle()
    assert firebell.reminders(room) == []
    status = firebell.driver.answer(firebell.driver.slash_command("/incident", "status", user="alice", channel=room))
    assert "Next update due" in json.dumps(status["blocks"])
    assert "(in 59m)" in json.dumps(status["blocks"])


@pytest.mark.slow
def test_reminders_survive_a_restart(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, policy: Policy
) -> None:
    """On the real clock and the real scheduler: a due point passed while no process ran is reminded
    once a process starts again, and the cadence goes on from there without repeating a due point."""
    with running_firebell(emu, slack, database_url, policy) as first:
        first.driver.slash_command("/incident", "declare sev1 Checkout failing", user="alice", channel="general")
        room = first.war_room(1).id
    # Down across the first due point.
    time.sleep(3)
    restarted = datetime.now(UTC)
    with running_firebell(emu, slack, database_url, policy) as second:
        second.wait_for(lambda: second.reminders(room), timeout=5, what="the overdue reminder")
        second.wait_for(lambda: len(second.reminders(room)) >= 3, timeout=8, what="the cadence to continue")
        events = reminder_events(second)
        resumed = [(at, due) for at, due in events if at >= restarted]
        assert resumed[0][1] < restarted  # a due point passed while down is reminded after the start: not lost
        due_points = [due for _, due in events]
        assert due_points == sorted(set(due_points))  # none repeated, in order
        assert all(due <= at for at, due in events)  # none reminded before it was due
        keys = [outbox_key(m) for m in second.reminders(room)]
        assert len(keys) == len(set(keys))


def test_a_changed_interval_moves_scheduled_due_points_at_start(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, *, policy: Policy, clock: Clock
) -> None:
    """Firebell restarted on the same database with SEV2's interval cut from 30s to 5s: the incident
    declared under the old policy is due 5s after its declaration, not 30s."""
    severities = [{**s, "update_interval": "5s"} if s["name"] == "SEV2" else s for s in FAST_POLICY["severities"]]
    faster = policy_from_mapping({**FAST_POLICY, "severities": severities}, source="test")
    declared = clock.now
    with running_firebell(emu, slack, database_url, policy, clock=clock) as first:
        room = declare(first, severity="sev2")
        assert first.incident(1).next_update_due_at == declared + timedelta(seconds=30)
        first.settle()
    with running_firebell(emu, slack, database_url, faster, clock=clock) as second:
        assert second.incident(1).next_update_due_at == declared + timedelta(seconds=5)
        assert second.advance(timedelta(seconds=5)) == 1
        second.wait_for(lambda: second.reminders(room), timeout=6, what="the reminder on the new interval")
    with running_firebell(emu, slack, database_url, faster, clock=clock) as third:
        # Restarted under the same policy: the due point the reminder set stays where it is.
        assert third.incident(1).next_update_due_at == declared + timedelta(seconds=10)
