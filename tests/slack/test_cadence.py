"""The update cadence through the HTTP edge, with second-scale intervals in the policy."""

import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from firebell.config import policy_from_mapping
from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from tests.harness import Firebell, outbox_key, running_firebell

FAST_POLICY = {
    "severities": [
        {"name": "SEV1", "description": "Significant customer impact", "update_interval": "2s"},
        {"name": "SEV2", "description": "Partial customer impact", "update_interval": "30s"},
        {"name": "SEV3", "description": "Minor impact", "update_interval": "1h"},
    ],
    "default_severity": "SEV3",
}


@pytest.fixture
def policy() -> Policy:
    return policy_from_mapping(FAST_POLICY, source="test")


def declare(firebell: Firebell, severity: str = "sev1") -> str:
    firebell.driver.slash_command("/incident", f"declare {severity} Checkout failing", user="alice", channel="general")
    return firebell.war_room(1).id


def buttons(message: object) -> list[str]:
    blocks = message.blocks  # type: ignore[attr-defined]
    return [e["text"]["text"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_overdue_update_reminds_the_current_ic(firebell: Firebell) -> None:
    emu = firebell.emu
    declared = time.time()
    room = declare(firebell)
    first = firebell.wait_for(lambda: firebell.reminders(room), timeout=6, what="a reminder")[0]
    assert float(first.ts) - declared >= 1.9
    alice, bob = emu.user_id("alice"), emu.user_id("bob")
    assert f"<@{alice}> a status update for *INC-1* is due" in first.text or f"<@{alice}>" in json.dumps(first.blocks)
    assert buttons(first) == ["Post update", "Snooze 15m", "Snooze 30m"]
    firebell.driver.slash_command("/incident", f"ic <@{bob}|bob>", user="alice", channel=room)
    second = firebell.wait_for(lambda: firebell.reminders(room)[1:], timeout=6, what="a second reminder")[0]
    assert f"<@{bob}>" in json.dumps(second.blocks)
    assert "2nd missed update in a row" in json.dumps(second.blocks)
    dm = firebell.wait_for(lambda: emu.dms("bob"), timeout=6, what="a DM to the new IC")
    assert "needs a status update" in json.dumps(dm[-1].blocks)
    announcement_id = firebell.incident(1).announcement_channel_id or ""
    broadcast = firebell.wait_for(
        lambda: [m for m in firebell.bot_messages(announcement_id) if "no status update for" in m.text],
        timeout=8,
        what="the announcement escalation",
    )[0]
    assert broadcast.reply_broadcast
    kinds = [kind for kind, _, _ in firebell.timeline(1)]
    assert kinds.count("reminder") >= 3
    assert kinds.count("escalation") >= 2


def test_an_update_resets_the_timer(firebell: Firebell) -> None:
    room = declare(firebell)
    deadline = time.time() + 4
    while time.time() < deadline:  # keep posting on time: no reminder may fire
        firebell.driver.slash_command("/incident", "update still on it", user="alice", channel=room)
        time.sleep(1.0)
    assert firebell.reminders(room) == []
    firebell.wait_for(lambda: firebell.reminders(room), timeout=5, what="a reminder once updates stop")


def test_snooze_button(firebell: Firebell) -> None:
    emu = firebell.emu
    room = declare(firebell)
    reminder = firebell.wait_for(lambda: firebell.reminders(room), timeout=6)[0]
    result = firebell.driver.click("carol", room, reminder.ts, f"incident.snooze.{15 * 60}", value=str(15 * 60))
    assert result.acked_in_time
    firebell.wait_for(
        lambda: "snoozed for 15m" in emu.message(room, reminder.ts).text, what="the reminder to say snoozed"
    )
    count = len(firebell.reminders(room))
    time.sleep(3)
    assert len(firebell.reminders(room)) == count
    snoozed = [(actor, text) for kind, actor, text in firebell.timeline(1) if kind == "snoozed"]
    assert snoozed == [(emu.user_id("carol"), "Update reminders snoozed for 15m")]
    due = firebell.incident(1).next_update_due_at
    assert due is not None


def test_post_update_from_the_reminder(firebell: Firebell) -> None:
    emu = firebell.emu
    room = declare(firebell)
    reminder = firebell.wait_for(lambda: firebell.reminders(room), timeout=6)[0]
    firebell.driver.click("alice", room, reminder.ts, "incident.post_update", value="1")
    view = firebell.wait_for(lambda: next((v for v in emu.views.values() if v.callback_id == "incident.update"), None))
    blocks = {b["block_id"]: b for b in view.view["blocks"]}
    assert blocks["severity"]["element"]["initial_option"]["value"] == "SEV1"
    assert blocks["status"]["element"]["initial_option"]["value"] == "investigating"
    firebell.driver.submit_view("alice", view.id, {"text": "DB failover in progress"})
    firebell.wait_for(lambda: firebell.timeline(1)[-1][0] == "update", what="the update")
    incident = firebell.incident(1)
    assert incident.missed_updates == 0
    assert incident.next_update_due_at is not None
    assert incident.last_update_at is not None
    assert incident.next_update_due_at - incident.last_update_at == timedelta(seconds=2)


def test_sev4_style_no_cadence_means_no_reminders(firebell: Firebell) -> None:
    room = declare(firebell, severity="sev3")  # hourly
    time.sleep(2.5)
    assert firebell.reminders(room) == []
    status = firebell.driver.answer(firebell.driver.slash_command("/incident", "status", user="alice", channel=room))
    assert "Next update due" in json.dumps(status["blocks"])
    assert "(in 59m)" in json.dumps(status["blocks"])


@pytest.fixture
def cadence_policy() -> Policy:
    return policy_from_mapping(FAST_POLICY, source="test")


def reminder_events(firebell: Firebell) -> list[str]:
    incident = firebell.incident(1)
    with firebell.runtime.ctx.db.read() as session:
        from firebell.services.timeline import timeline_of

        return [str(e.data["due_at"]) for e in timeline_of(session, incident.id) if e.kind.value == "reminder"]


def test_reminders_survive_a_restart(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, cadence_policy: Policy
) -> None:
    with running_firebell(emu, slack, database_url, cadence_policy) as first:
        first.driver.slash_command("/incident", "declare sev1 Checkout failing", user="alice", channel="general")
        room = first.war_room(1).id
    # Down across the first due point.
    time.sleep(3)
    with running_firebell(emu, slack, database_url, cadence_policy) as second:
        restarted = time.time()
        reminders = second.wait_for(lambda: second.reminders(room), timeout=5, what="the overdue reminder")
        assert float(reminders[0].ts) - restarted < 1.5  # sent promptly on start, not lost
        second.wait_for(lambda: len(second.reminders(room)) >= 3, timeout=8, what="the cadence to continue")
        due_points = reminder_events(second)
        assert len(due_points) == len(set(due_points))  # none repeated
        keys = [outbox_key(m) for m in second.reminders(room)]
        assert len(keys) == len(set(keys))
