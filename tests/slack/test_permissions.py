"""Who may do what, through the edge: closing needs the IC or the declarer, the policy can restrict more
(here severity changes to the IC and the deputy), refusals say who may, and taking command from an IC
tells them loudly."""

import json

import pytest

from firebell.config import policy_from_mapping
from firebell.domain.policy import Policy
from tests.harness import Firebell
from tests.slack.test_closed_incident import told
from tests.slack.test_war_room import command, declare


@pytest.fixture
def policy() -> Policy:
    return policy_from_mapping({"permissions": {"severity": ["commander", "deputy"]}}, source="test")


def kickoff_buttons(firebell: Firebell) -> list[str]:
    incident = firebell.incident(1)
    kickoff = firebell.emu.message(incident.channel_id or "", incident.kickoff_ts or "")
    return [e["action_id"] for b in kickoff.blocks if b["type"] == "actions" for e in b["elements"]]


def test_only_the_ic_or_the_declarer_closes_the_review(firebell: Firebell) -> None:
    emu = firebell.emu
    room = declare(firebell)  # alice declares and commands
    assert "INC-1 is resolved" in command(firebell, "resolve The fix holds", room, user="bob")  # open to the room
    refused = command(firebell, "close", room, user="bob")
    assert refused == (
        ":warning: Only the Incident Commander or the declarer may close the review of INC-1 "
        "(the policy's `permissions.close`). Ask one of them or have command handed to you."
    )
    assert firebell.incident(1).status.value == "resolved"
    assert [kind for kind, _, _ in firebell.timeline(1)][-1] == "status_changed"
    command(firebell, f"ic <@{emu.user_id('carol')}|carol>", room, user="alice")
    assert "INC-1 is closed" in command(firebell, "close", room, user="alice")  # the declarer, no longer IC


def test_the_policy_restricts_severity_changes_to_the_ic_and_the_deputy(firebell: Firebell) -> None:
    emu, driver = firebell.emu, firebell.driver
    room = declare(firebell)
    who = "Only the Incident Commander or the deputy may change the severity of INC-1"
    assert command(firebell, "sev 1", room, user="bob").startswith(
        f":warning: {who} (the policy's `permissions.severity`)"
    )
    driver.click("carol", room, firebell.incident(1).kickoff_ts or "", "incident.change_severity")
    assert who in told(firebell, "carol", who)  # refused before a form is offered
    assert not [v for v in emu.views.values() if v.callback_id == "incident.severity"]
    driver.click("carol", room, firebell.incident(1).kickoff_ts or "", "incident.post_update")  # updates stay open
    update_form = firebell.wait_for(
        lambda: next((v for v in emu.views.values() if v.callback_id == "incident.update"), None), what="the form"
    )
    submitted = driver.submit_view("carol", update_form.id, {"severity": "SEV1", "text": "Worse in EU"})
    assert submitted.json()["errors"]["text"].startswith(who)  # the form's severity field is the IC's call too
    firebell.settle()
    assert firebell.incident(1).severity == "SEV3"
    assert [kind for kind, _, _ in firebell.timeline(1)] == ["declared"]
    command(firebell, f"role deputy <@{emu.user_id('bob')}|bob>", room, user="alice")
    assert "INC-1 is now *SEV1*" in command(firebell, "sev 1", room, user="bob")


def test_taking_command_from_the_ic_tells_them_loudly(firebell: Firebell) -> None:
    emu = firebell.emu
    room = declare(firebell)
    alice, bob, carol = emu.user_id("alice"), emu.user_id("bob"), emu.user_id("carol")
    assert f"<@{bob}> is now the Incident Commander" in command(firebell, f"ic <@{bob}|bob>", room, user="bob")
    firebell.settle()
    taken = firebell.bot_messages(room)[-1].text
    assert taken.startswith(f":rotating_light: <@{alice}>, <@{bob}> took command: <@{bob}> is now the Incident")
    [dm] = firebell.wait_for(lambda: emu.dms("alice"), what="a DM to the IC whose command was taken")
    assert f"<@{bob}> took command of *INC-1*" in dm.text
    assert "You are no longer its Incident Commander" in dm.text
    assert firebell.timeline(1)[-1][2] == "Incident Commander taken over"
    # The IC handing over themselves is an ordinary handover: no alarm, no DM.
    command(firebell, f"ic <@{carol}|carol>", room, user="bob")
    firebell.settle()
    assert firebell.bot_messages(room)[-1].text.startswith(":handshake: Command handed over")
    assert emu.dms("bob") == []


def test_a_mitigated_incident_offers_reopen_on_its_kickoff(firebell: Firebell) -> None:
    room = declare(firebell)
    assert "incident.reopen" not in kickoff_buttons(firebell)
    command(firebell, "mitigate Traffic drained to EU-West", room)
    firebell.settle()
    assert kickoff_buttons(firebell)[-2:] == ["incident.resolve", "incident.reopen"]
    firebell.driver.click("bob", room, firebell.incident(1).kickoff_ts or "", "incident.reopen")
    firebell.wait_for(lambda: firebell.incident(1).status.value == "investigating", what="reopened")
    firebell.settle()
    assert "incident.mitigate" in kickoff_buttons(firebell)
    assert json.dumps(firebell.timeline(1)[-1]).count("mitigated to investigating") == 1
