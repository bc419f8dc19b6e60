"""Commands, buttons, modals and pins inside a war room, through the HTTP edge."""

import json

from firebell.emulator.mentions import mentions
from tests.harness import Firebell


def declare(firebell: Firebell, text: str = "declare sev3 Checkout failing", user: str = "alice") -> str:
    firebell.driver.slash_command("/incident", text, user=user, channel="general")
    room = firebell.war_room(1)
    firebell.settle()
    return room.id


def command(firebell: Firebell, text: str, room: str, user: str = "alice") -> str:
    result = firebell.driver.slash_command("/incident", text, user=user, channel=room)
    assert result.acked_in_time
    body = firebell.driver.answer(result)
    return str(body.get("text", ""))


def announcement(firebell: Firebell) -> object:
    incident = firebell.incident(1)
    assert incident.announcement_channel_id and incident.announcement_ts
    return firebell.emu.message(incident.announcement_channel_id, incident.announcement_ts)


def test_handover_is_announced_everywhere(firebell: Firebell) -> None:
    emu = firebell.emu
    room = declare(firebell)
    bob = emu.user_id("bob")
    reply = command(firebell, f"ic <@{bob}|bob>", room)
    assert f"<@{bob}> is now the Incident Commander of INC-1" in reply
    firebell.settle()
    assert bob in emu.channel(room).members
    assert f"IC: <@{bob}>" in emu.channel(room).topic.value
    handover = firebell.bot_messages(room)[-1]
    assert "Command handed over" in handover.text
    assert f"<@{bob}> is now the Incident Commander (was <@{emu.user_id('alice')}>)" in handover.text
    assert f"<@{bob}>" in json.dumps(announcement(firebell).blocks)  # type: ignore[attr-defined]
    assert announcement(firebell).edited >= 1  # type: ignore[attr-defined]
    assert firebell.incident(1).commander == bob
    assert firebell.timeline(1)[-1][0] == "commander_changed"


def test_role_assignment(firebell: Firebell) -> None:
    emu = firebell.emu
    room = declare(firebell)
    carol = emu.user_id("carol")
    reply = command(firebell, f"role scribe <@{carol}|carol>", room)
    assert "is now scribe of INC-1" in reply
    firebell.settle()
    assert carol in emu.channel(room).members
    assert firebell.incident(1).roles["scribe"] == carol
    assert "is now *scribe*" in firebell.bot_messages(room)[-1].text


def test_severity_change_updates_topic_announcement_and_room(firebell: Firebell) -> None:
    emu = firebell.emu
    room = declare(firebell)
    assert "INC-1 is now *SEV1*" in command(firebell, "sev 1", room)
    firebell.settle()
    assert emu.channel(room).topic.value.startswith("SEV1 | Investigating")
    assert "(SEV1)" in json.dumps(announcement(firebell).blocks)  # type: ignore[attr-defined]
    assert "Severity raised from *SEV3* to *SEV1*" in firebell.bot_messages(room)[-1].text
    thread = [m for m in emu.messages(firebell.incident(1).announcement_channel_id or "") if m.thread_ts]
    assert any("Severity raised" in m.text for m in thread)
    command(firebell, "sev sev2", room)
    firebell.settle()
    assert "Severity lowered from *SEV1* to *SEV2*" in firebell.bot_messages(room)[-1].text


def test_update_goes_to_room_and_announcement_thread(firebell: Firebell) -> None:
    emu = firebell.emu
    room = declare(firebell)
    reply = command(firebell, "update Rolled back v42; errors falling. Next update 10:30", room)
    assert "Update posted" in reply
    firebell.settle()
    posted = firebell.bot_messages(room)[-1]
    dumped = json.dumps(posted.blocks)
    assert "Rolled back v42; errors falling" in dumped
    assert "SEV3" in dumped and "Investigating" in dumped and f"<@{emu.user_id('alice')}>" in dumped
    incident = firebell.incident(1)
    replies = [
        m for m in emu.messages(incident.announcement_channel_id or "") if m.thread_ts == incident.announcement_ts
    ]
    assert any("Rolled back v42" in json.dumps(m.blocks) for m in replies)
    assert firebell.timeline(1)[-1] == (
        "update",
        emu.user_id("alice"),
        "Rolled back v42; errors falling. Next update 10:30",
    )


def test_note_only_touches_the_timeline(firebell: Firebell) -> None:
    room = declare(firebell)
    before = len(firebell.emu.calls_to("chat.postMessage"))
    assert "Noted" in command(firebell, "note api-7 is OOMing", room, user="bob")
    firebell.settle()
    assert len(firebell.emu.calls_to("chat.postMessage")) == before
    assert firebell.timeline(1)[-1] == ("note", firebell.emu.user_id("bob"), "api-7 is OOMing")


def test_lifecycle_and_illegal_transitions(firebell: Firebell) -> None:
    room = declare(firebell)
    assert "INC-1 is mitigated" in command(firebell, "mitigate rolled back", room)
    assert "INC-1 is already mitigated" in command(firebell, "mitigate", room)
    assert "INC-1 is resolved" in command(firebell, "resolve fix deployed", room)
    assert "INC-1 is already resolved" in command(firebell, "resolve", room)
    assert "INC-1 is reopened" in command(firebell, "reopen errors again", room)
    assert "is already investigating" in command(firebell, "reopen", room)
    firebell.settle()
    statuses = [text for kind, _, text in firebell.timeline(1) if kind == "status_changed"]
    assert statuses == [
        "Status changed from investigating to mitigated: rolled back",
        "Status changed from mitigated to resolved: fix deployed",
        "Status changed from resolved to investigating: errors again",
    ]
    assert firebell.emu.channel(room).topic.value.startswith("SEV3 | Investigating")
    kickoff = firebell.emu.message(room, firebell.incident(1).kickoff_ts or "")
    assert kickoff.edited >= 3


def test_status_and_timeline_are_ephemeral(firebell: Firebell) -> None:
    room = declare(firebell)
    command(firebell, "note first note", room)
    result = firebell.driver.slash_command("/incident", "status", user="bob", channel=room)
    body = firebell.driver.answer(result)
    assert body["response_type"] == "ephemeral"
    assert "INC-1: Checkout failing" in json.dumps(body["blocks"])
    result = firebell.driver.slash_command("/incident", "timeline", user="bob", channel=room)
    body = firebell.driver.answer(result)
    assert body["response_type"] == "ephemeral"
    dumped = json.dumps(body["blocks"])
    assert "`declared`" in dumped and "first note" in dumped


def test_list_and_help(firebell: Firebell) -> None:
    declare(firebell)
    body = firebell.driver.answer(firebell.driver.slash_command("/incident", "list", user="bob", channel="general"))
    dumped = json.dumps(body["blocks"])
    assert "Open incidents (1)" in dumped
    assert "*INC-1* SEV3" in dumped and f"<#{firebell.incident(1).channel_id}>" in dumped
    body = firebell.driver.answer(firebell.driver.slash_command("/incident", "help", user="bob", channel="general"))
    assert "/incident declare [sev1|sev2|sev3|sev4] &lt;title&gt;" in json.dumps(body["blocks"])


def test_bad_input_gets_an_ephemeral_explanation_and_changes_nothing(firebell: Firebell) -> None:
    room = declare(firebell)
    posts = len(firebell.emu.calls_to("chat.postMessage"))
    events = len(firebell.timeline(1))
    cases = {
        "frobnicate": "Unknown subcommand `frobnicate`",
        "sev 9": "Unknown severity `9`. Valid severities: SEV1, SEV2, SEV3, SEV4.",
        "declare sev9 Broken": "Unknown severity `sev9`",
        "ic": "`ic` needs a user mention",
        "update": "`update` needs some text",
    }
    for text, expected in cases.items():
        result = firebell.driver.slash_command("/incident", text, user="alice", channel=room)
        body = firebell.driver.answer(result)
        assert body["response_type"] == "ephemeral"
        assert expected in body["text"], text
    body = firebell.driver.answer(
        firebell.driver.slash_command("/incident", "update hello", user="alice", channel="general")
    )
    assert "This isn't an incident channel" in body["text"]
    firebell.settle()
    assert len(firebell.emu.calls_to("chat.postMessage")) == posts
    assert len(firebell.timeline(1)) == events
    assert firebell.incident(1).severity == "SEV3"


def test_update_text_cannot_ping(firebell: Firebell) -> None:
    emu = firebell.emu
    room = declare(firebell)
    carol = emu.user_id("carol")
    command(firebell, f"update <!channel> <@{carol}|carol> please look", room)
    firebell.settle()
    for message in firebell.bot_messages(room)[1:] + [
        m for m in emu.messages(firebell.incident(1).announcement_channel_id or "") if m.thread_ts
    ]:
        assert mentions(message) <= {emu.user_id("alice")}, message.text
    assert firebell.timeline(1)[-1][2] == "@channel @carol please look"


def test_pushpin_copies_a_message_once_despite_retries(firebell: Firebell) -> None:
    emu, driver = firebell.emu, firebell.driver
    room = declare(firebell)
    message = driver.post_as_user("carol", room, "DB primary CPU at 100% since 09:02")
    driver.post_as_user("bob", room, "looking")  # bob joins the war room
    first = driver.react("bob", room, message.ts, event_id="Ev0PIN0001")
    assert first.acked_in_time
    driver.react("bob", room, message.ts, event_id="Ev0PIN0001", retry_num=1)
    driver.react("dave", room, message.ts, event_id="Ev0PIN0002")
    firebell.wait_for(lambda: any(kind == "pin" for kind, _, _ in firebell.timeline(1)), what="the pin")
    firebell.settle()
    pins = [(actor, text) for kind, actor, text in firebell.timeline(1) if kind == "pin"]
    assert pins == [(emu.user_id("carol"), "DB primary CPU at 100% since 09:02")]
    incident = firebell.incident(1)
    with firebell.runtime.ctx.db.read() as session:
        from firebell.services.timeline import timeline_of

        [pin] = [e for e in timeline_of(session, incident.id) if e.kind.value == "pin"]
    assert f"{pin.at.timestamp():.6f}" == message.ts
    assert pin.data["pinned_by"] == emu.user_id("bob")
    assert [e.user for e in emu.ephemerals if "timeline" in e.text] == [emu.user_id("bob")]


def test_other_reactions_and_other_channels_are_ignored(firebell: Firebell) -> None:
    room = declare(firebell)
    message = firebell.driver.post_as_user("carol", room, "hello")
    firebell.driver.react("bob", room, message.ts, reaction="eyes")
    general = firebell.emu.channel_by_name("general")
    assert general is not None
    elsewhere = firebell.driver.post_as_user("carol", general.id, "unrelated")
    firebell.driver.react("bob", general.id, elsewhere.ts)
    firebell.settle()
    assert [kind for kind, _, _ in firebell.timeline(1)] == ["declared"]


def test_kickoff_buttons(firebell: Firebell) -> None:
    emu, driver = firebell.emu, firebell.driver
    room = declare(firebell)
    kickoff_ts = firebell.incident(1).kickoff_ts or ""
    result = driver.click("bob", room, kickoff_ts, "incident.mitigate")
    assert result.acked_in_time
    firebell.wait_for(lambda: firebell.incident(1).status.value == "mitigated", what="mitigated")
    firebell.settle()
    kickoff = emu.message(room, kickoff_ts)
    actions = [e["action_id"] for b in kickoff.blocks if b["type"] == "actions" for e in b["elements"]]
    assert "incident.mitigate" not in actions
    driver.click("bob", room, kickoff_ts, "incident.resolve")
    firebell.wait_for(lambda: firebell.incident(1).status.value == "resolved", what="resolved")


def test_update_modal_from_the_button(firebell: Firebell) -> None:
    emu, driver = firebell.emu, firebell.driver
    room = declare(firebell)
    kickoff_ts = firebell.incident(1).kickoff_ts or ""
    driver.click("bob", room, kickoff_ts, "incident.post_update")
    view = firebell.wait_for(lambda: next((v for v in emu.views.values() if v.callback_id == "incident.update"), None))
    blocks = {b["block_id"]: b for b in view.view["blocks"]}
    assert blocks["severity"]["element"]["initial_option"]["value"] == "SEV3"
    assert blocks["status"]["element"]["initial_option"]["value"] == "investigating"
    submit = driver.submit_view("bob", view.id, {"severity": "SEV2", "status": "mitigated", "text": "Failover done"})
    assert submit.acked_in_time
    firebell.settle()
    incident = firebell.incident(1)
    assert (incident.severity, incident.status.value) == ("SEV2", "mitigated")
    kinds = [kind for kind, _, _ in firebell.timeline(1)]
    assert kinds[-3:] == ["severity_changed", "status_changed", "update"]


def test_severity_modal_from_the_button(firebell: Firebell) -> None:
    emu, driver = firebell.emu, firebell.driver
    room = declare(firebell)
    driver.click("bob", room, firebell.incident(1).kickoff_ts or "", "incident.change_severity")
    view = firebell.wait_for(
        lambda: next((v for v in emu.views.values() if v.callback_id == "incident.severity"), None)
    )
    same = driver.submit_view("bob", view.id, {"severity": "SEV3"})
    assert same.json()["response_action"] == "errors"
    assert "already SEV3" in same.json()["errors"]["severity"]
    driver.submit_view("bob", view.id, {"severity": "SEV1"})
    firebell.wait_for(lambda: firebell.incident(1).severity == "SEV1", what="SEV1")


def test_a_stale_update_form_does_not_undo_other_changes(firebell: Firebell) -> None:
    emu, driver = firebell.emu, firebell.driver
    room = declare(firebell)
    driver.click("bob", room, firebell.incident(1).kickoff_ts or "", "incident.post_update")
    view = firebell.wait_for(lambda: next((v for v in emu.views.values() if v.callback_id == "incident.update"), None))
    command(firebell, "sev 1", room, user="alice")  # while bob is still typing
    command(firebell, "mitigate", room, user="alice")
    driver.submit_view("bob", view.id, {"text": "Working on the cache"})  # severity/status left as shown
    firebell.wait_for(lambda: firebell.timeline(1)[-1][0] == "update", what="bob's update")
    incident = firebell.incident(1)
    assert (incident.severity, incident.status.value) == ("SEV1", "mitigated")
    assert [kind for kind, _, _ in firebell.timeline(1)].count("severity_changed") == 1
