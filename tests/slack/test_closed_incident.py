"""A closed incident through the edge: every command, button and form that would change it is refused, with a
reply saying what is still possible, and nothing is stored or announced; notes, action items and the
postmortem still work."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from firebell.config import policy_from_mapping
from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from firebell.emulator.models import View
from tests.clock import Clock
from tests.harness import Firebell, running_firebell
from tests.slack.test_action_items import ack_with_buttons
from tests.slack.test_war_room import command

INTERVAL = timedelta(seconds=2)
CLOSED = "INC-1 is closed, so "
STILL = "notes, action items and the postmortem still work. Use `/incident note &lt;text&gt;`"  # escaped mrkdwn


@pytest.fixture
def policy() -> Policy:
    return policy_from_mapping(
        {"severities": [{"name": "SEV1", "description": "Significant customer impact", "update_interval": "2s"},
                        {"name": "SEV2", "description": "Partial customer impact", "update_interval": "2m"}],
         "default_severity": "SEV2"},
        source="test",
    )  # fmt: skip


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime.now(UTC))


@pytest.fixture
def firebell(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, *, policy: Policy, clock: Clock
) -> Iterator[Firebell]:
    with running_firebell(emu, slack, database_url, policy, clock=clock) as running:
        yield running


def told(firebell: Firebell, user: str, text: str) -> str:
    """The ephemeral answer containing `text` that `user` was shown (waited for)."""
    user_id = firebell.emu.user_id(user)
    found = firebell.wait_for(
        lambda: [e for e in firebell.emu.ephemerals if e.user == user_id and text in json.dumps(e.blocks)],
        what=f"an answer to {user} saying {text!r}",
    )
    return json.dumps(found[-1].blocks)


def form(firebell: Firebell, callback_id: str) -> View:
    return firebell.wait_for(  # type: ignore[no-any-return]
        lambda: next((v for v in firebell.emu.views.values() if v.callback_id == callback_id and not v.closed), None),
        what=f"the {callback_id} form",
    )


def state(firebell: Firebell) -> tuple[object, ...]:
    """What a refused change must leave alone: the incident, its timeline, and every post in Slack."""
    incident = firebell.incident(1)
    posts = [(m.ts, m.text, m.edited) for c in firebell.emu.channels.values() for m in firebell.emu.messages(c.id)]
    dms = [m.ts for m in firebell.emu.dms("bob")]
    return incident, firebell.timeline(1), sorted(posts), dms


def test_a_closed_incident_refuses_every_change_and_says_what_is_still_possible(firebell: Firebell) -> None:
    emu, driver = firebell.emu, firebell.driver
    driver.slash_command("/incident", "declare sev1 Checkout failing", user="alice", channel="general")
    room = firebell.war_room(1).id
    bob, carol = emu.user_id("bob"), emu.user_id("carol")
    # What people still hold from when the incident was open: a reminder with its buttons, the update and
    # severity forms open, a runbook chooser and a posted checklist.
    assert firebell.advance(INTERVAL) == 1
    reminder = firebell.wait_for(lambda: firebell.reminders(room), what="a reminder")[0]
    kickoff_ts = firebell.incident(1).kickoff_ts or ""
    driver.click("bob", room, kickoff_ts, "incident.post_update")
    update_form = form(firebell, "incident.update")
    driver.click("carol", room, kickoff_ts, "incident.change_severity")
    severity_form = form(firebell, "incident.severity")
    command(firebell, "runbook tls certificate expired", room)
    chooser = ack_with_buttons(firebell, "alice")
    driver.click("alice", room, chooser.ts, "runbook.post", value="tls-certificate-expiry")
    checklist = firebell.wait_for(
        lambda: next((m for m in firebell.bot_messages(room) if m.text.startswith("Runbook: ")), None),
        what="the checklist",
    )
    assert "INC-1 is resolved" in command(firebell, "resolve Fixed by the rollback", room)
    assert "INC-1 is closed" in command(firebell, "close", room)
    firebell.settle()
    before = state(firebell)
    assert before[0].status.value == "closed"  # type: ignore[attr-defined]

    refusals = {
        "sev 2": "its severity can no longer change",
        "update Still fine": "it takes no more status updates",
        f"ic <@{bob}|bob>": "it has no one in command any more",
        f"role scribe <@{carol}|carol>": "its roles can no longer change",
        "mitigate": "it cannot be mitigated",
        "resolve": "it cannot be resolved again",
        "reopen It is back": "it cannot be reopened",
        "close": "there is nothing left to close",
        "runbook": "no runbook checklists are posted or ticked off any more",
    }
    for text, why in refusals.items():
        reply = command(firebell, text, room, user="alice")
        assert reply.startswith(f":warning: {CLOSED}{why}; {STILL}"), (text, reply)
        assert reply.endswith("If the problem is back, declare a new incident.")

    # Buttons: the reminder's (open the update form, snooze), the chooser's and the checklist's.
    driver.click("bob", room, reminder.ts, "incident.post_update")
    assert "it takes no more status updates" in told(firebell, "bob", CLOSED)
    driver.click("carol", room, reminder.ts, f"incident.snooze.{15 * 60}", value=str(15 * 60))
    assert "it has no update reminders to snooze" in told(firebell, "carol", CLOSED)
    driver.click("alice", room, chooser.ts, "runbook.post", value="tls-certificate-expiry")
    driver.click("bob", room, checklist.ts, "runbook.step_done.1")
    assert "no runbook checklists are posted or ticked off" in told(firebell, "alice", CLOSED)
    assert "no runbook checklists are posted or ticked off" in told(firebell, "bob", "runbook checklists")

    # Forms opened before the close.
    submitted = driver.submit_view("bob", update_form.id, {"severity": "SEV2", "text": "Late update"})
    assert submitted.json()["errors"]["text"] == (
        "INC-1 is closed, so its severity can no longer change; notes, action items and the postmortem still work."
    )
    submitted = driver.submit_view("carol", severity_form.id, {"severity": "SEV2"})
    assert submitted.json()["errors"]["severity"].startswith(f"{CLOSED}its severity can no longer change")

    firebell.settle()
    assert state(firebell) == before  # nothing stored, nothing posted, edited or announced

    # What a closed incident still takes: notes, action items and the postmortem.
    assert "Noted on the INC-1 timeline" in command(firebell, "note Customer emailed a thank-you", room)
    assert "Action item *#1* added" in command(firebell, "action Alert on certificate expiry", room)
    assert "Drafting the INC-1 postmortem again" in command(firebell, "postmortem", room)
    assert [kind for kind, _, _ in firebell.timeline(1)][-3:] == ["note", "action_added", "postmortem"]
    assert firebell.incident(1).status.value == "closed"
