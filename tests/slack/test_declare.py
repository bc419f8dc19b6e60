"""Declaring an incident through signed HTTP requests, checked against what Slack would have seen."""

import json
import threading

from firebell.emulator.mentions import mentions
from tests.harness import Firebell


def test_declare_builds_the_war_room(firebell: Firebell) -> None:
    emu, driver = firebell.emu, firebell.driver
    alice = emu.user_id("alice")
    result = driver.slash_command("/incident", "declare sev1 Checkout failing", user="alice", channel="general")
    assert result.acked_in_time
    ack = firebell.driver.answer(result)
    assert ack["response_type"] == "ephemeral"
    assert "Declared *INC-1* (SEV1): Checkout failing" in ack["text"]

    room = firebell.war_room(1)
    firebell.settle()
    assert room.name == "inc-1-checkout-failing"
    assert alice in room.members
    assert emu.bot_user_id in room.members
    assert room.topic.value == f"SEV1 | Investigating | IC: <@{alice}> | Checkout failing"

    kickoff = firebell.bot_messages(room.id)[0]
    assert kickoff.pinned
    dumped = json.dumps(kickoff.blocks)
    assert "INC-1: Checkout failing" in dumped
    assert "Significant customer-facing impact" in dumped
    assert "What happens next" in dumped
    actions = [e["action_id"] for b in kickoff.blocks if b.get("block_id") == "kickoff.actions" for e in b["elements"]]
    assert actions == [
        "incident.post_update",
        "incident.change_severity",
        "incident.public_update",
        "incident.mitigate",
        "incident.resolve",
    ]

    assert [(b.title, b.link) for b in room.bookmarks] == [("Video bridge", "https://meet.example.com/inc-1")]

    announcements = emu.channel_by_name("incidents")
    assert announcements is not None
    assert emu.bot_user_id in announcements.members  # joined the public channel to post
    [announcement] = firebell.bot_messages(announcements.id)
    assert f"<#{room.id}>" in json.dumps(announcement.blocks)

    [ready] = [r for r in emu.responses if "war room is ready" in json.dumps(r.body)]
    assert ready.body["response_type"] == "ephemeral"

    incident = firebell.incident(1)
    assert (incident.channel_id, incident.kickoff_ts) == (room.id, kickoff.ts)
    assert incident.announcement_ts == announcement.ts
    assert firebell.timeline(1) == [("declared", alice, "Declared INC-1 (SEV1): Checkout failing")]


def test_declare_without_severity_uses_the_default(firebell: Firebell) -> None:
    firebell.driver.slash_command("/incident", "declare Search is slow", user="bob", channel="general")
    firebell.war_room(1)
    assert firebell.incident(1).severity == "SEV3"


def test_unicode_titles_make_valid_channel_names(firebell: Firebell) -> None:
    firebell.driver.slash_command(
        "/incident", "declare sev2 Zahlungsausfall bei Käufern 🔥", user="bob", channel="general"
    )
    assert firebell.war_room(1).name == "inc-1-zahlungsausfall-bei-kaufern"


def test_name_collision_picks_another_valid_name(firebell: Firebell) -> None:
    firebell.emu.add_channel("inc-1-db-down", [firebell.emu.user_id("carol")])
    firebell.driver.slash_command("/incident", "declare sev2 DB down", user="bob", channel="general")
    room = firebell.war_room(1)
    assert room.name == "inc-1-db-down-2"
    assert firebell.incident(1).channel_name == "inc-1-db-down-2"


def test_titles_with_broadcasts_and_mentions_ping_nobody(firebell: Firebell) -> None:
    emu = firebell.emu
    carol = emu.user_id("carol")
    title = f"<!channel> <!here> <!everyone> <@{carol}> checkout"
    firebell.driver.slash_command("/incident", f"declare sev1 {title}", user="alice", channel="general")
    room = firebell.war_room(1)
    firebell.settle()
    alice = emu.user_id("alice")
    announcements = emu.channel_by_name("incidents")
    assert announcements is not None
    everything = [m for channel in (room.id, announcements.id) for m in firebell.bot_messages(channel)]
    assert everything
    for message in everything:
        assert mentions(message) <= {alice}, message.text
    assert carol not in room.members
    assert "@channel" in firebell.incident(1).title


def test_declare_form_when_no_title(firebell: Firebell) -> None:
    emu, driver = firebell.emu, firebell.driver
    result = driver.slash_command("/incident", "declare sev2", user="alice", channel="general")
    assert result.acked_in_time
    view = firebell.wait_for(lambda: next(iter(emu.views.values()), None), what="the declare modal")
    assert view.callback_id == "incident.declare"
    severity = next(b for b in view.view["blocks"] if b["block_id"] == "severity")
    options = severity["element"]["options"]
    assert [o["value"] for o in options] == ["SEV1", "SEV2", "SEV3", "SEV4"]
    assert options[0]["description"]["text"].startswith("Significant customer-facing impact")
    assert severity["element"]["initial_option"]["value"] == "SEV2"

    bob = emu.user_id("bob")
    submit = driver.submit_view(
        "alice",
        view.id,
        {
            "title": "Payments timing out",
            "severity": "SEV1",
            "description": "p99 at 30s",
            "customer_impact": "Card payments fail",
            "commander": bob,
        },
    )
    assert submit.acked_in_time
    assert submit.json()["response_action"] == "update"
    room = firebell.war_room(1)
    incident = firebell.incident(1)
    assert (incident.title, incident.severity, incident.commander) == ("Payments timing out", "SEV1", bob)
    assert incident.description == "p99 at 30s"
    assert incident.customer_impact == "Card payments fail"
    firebell.settle()
    assert {emu.user_id("alice"), bob} <= set(room.members)
    assert "Card payments fail" in json.dumps(firebell.bot_messages(room.id)[0].blocks)


def test_twenty_five_simultaneous_declares(firebell: Firebell) -> None:
    results: list[object] = []
    barrier = threading.Barrier(25)

    def declare(i: int) -> None:
        barrier.wait()
        results.append(
            firebell.driver.slash_command("/incident", f"declare sev2 Outage {i}", user="alice", channel="general")
        )

    threads = [threading.Thread(target=declare, args=(i,)) for i in range(25)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r.acked_in_time for r in results)  # type: ignore[attr-defined]
    rooms = [firebell.war_room(n, timeout=30) for n in range(1, 26)]
    assert len({room.id for room in rooms}) == 25
    assert len({room.name for room in rooms}) == 25
    assert sorted(int(room.name.split("-")[1]) for room in rooms) == list(range(1, 26))
