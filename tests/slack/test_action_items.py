"""Action items through the edge: add, list, done, reassign, follow-up DMs, close, and the API."""

import json

from firebell.emulator.models import Ephemeral
from tests.harness import Firebell
from tests.slack.test_war_room import command, declare


def ack_with_buttons(firebell: Firebell, user: str) -> Ephemeral:
    """The latest answer to a command shown to a user (Firebell answers through the response_url)."""
    user_id = firebell.emu.user_id(user)
    return [a for a in firebell.emu.ephemerals if a.user == user_id and a.via == "response_url"][-1]


def test_add_list_complete_and_reassign(firebell: Firebell) -> None:
    emu, driver = firebell.emu, firebell.driver
    room = declare(firebell)
    bob, carol = emu.user_id("bob"), emu.user_id("carol")
    reply = command(firebell, f"action Alert on replica lag <@{bob}|bob> due 2026-12-01", room)
    assert f"Action item *#1* added (<@{bob}>, due 2026-12-01)" in reply
    command(firebell, "action Write the failover runbook", room)
    assert [kind for kind, _, _ in firebell.timeline(1)][-2:] == ["action_added", "action_added"]

    command(firebell, "actions", room)
    listing = ack_with_buttons(firebell, "alice")
    dumped = json.dumps(listing.blocks)
    assert "INC-1 action items" in dumped and "Alert on replica lag" in dumped and "_unowned_" in dumped
    driver.click("alice", room, listing.ts, "review.item_done", value="1")
    firebell.wait_for(
        lambda: firebell.api("/api/v1/incidents/1/action-items").json()[0]["status"] == "done", what="done"
    )
    firebell.wait_for(lambda: listing.replaced == 1, what="the list redrawn")
    redrawn = json.dumps(listing.blocks)  # the same ephemeral message, now current
    assert "Action item *#1* is done." in redrawn
    assert ":white_check_mark: *#1*" in redrawn
    assert [b["block_id"] for b in listing.blocks if b["type"] == "actions"] == ["item.2.room"]  # no Done for #1
    driver.click("alice", room, listing.ts, "review.item_reassign", value=carol, block_id="item.2.room")
    firebell.wait_for(
        lambda: firebell.api("/api/v1/incidents/1/action-items").json()[1]["owner"] == carol, what="reassigned"
    )
    firebell.wait_for(lambda: listing.replaced == 2, what="the list redrawn again")
    assert f"now belongs to <@{carol}>" in json.dumps(listing.blocks)

    result = firebell.driver.slash_command("/incident", "actions mine", user="carol", channel="general")
    assert "Write the failover runbook" in json.dumps(firebell.driver.answer(result)["blocks"])
    assert "INC-1" in json.dumps(firebell.driver.answer(result)["blocks"])
    general = str(emu.channel_by_name("general").id)  # type: ignore[union-attr]
    mine = ack_with_buttons(firebell, "carol")
    driver.click("carol", general, mine.ts, "review.item_done", value="2")
    firebell.wait_for(lambda: mine.replaced == 1, what="carol's list redrawn")
    assert "Your open action items: none." in json.dumps(mine.blocks)  # done items leave "mine"


def test_bad_action_input_changes_nothing(firebell: Firebell) -> None:
    room = declare(firebell)
    cases = {
        "action": "`action` needs a description",
        "action fix it @bob": "`@bob` isn't a Slack mention",
        "action fix it due friday": "Couldn't read the due date `friday`. Use YYYY-MM-DD",
        "action " + "word " * 120: "in at most 500 characters (this one has 599)",
    }
    for text, expected in cases.items():
        assert expected in command(firebell, text, room), text
    body = firebell.driver.answer(
        firebell.driver.slash_command("/incident", "action fix it", user="alice", channel="general")
    )
    assert "This isn't an incident channel" in body["text"]
    assert firebell.api("/api/v1/action-items").json() == []


def test_add_from_the_postmortem_button(firebell: Firebell) -> None:
    emu, driver = firebell.emu, firebell.driver
    room = declare(firebell)
    command(firebell, "resolve", room)
    summary = firebell.wait_for(
        lambda: next(
            (m for m in firebell.bot_messages(room) if any(b.get("block_id") == "review.actions" for b in m.blocks)),
            None,
        ),
        what="the postmortem summary",
    )
    driver.click("bob", room, summary.ts, "review.add_action", value="1")
    view = firebell.wait_for(lambda: next((v for v in emu.views.values() if v.callback_id == "review.action"), None))
    driver.submit_view(
        "bob", view.id, {"text": "Load-test checkout", "owner": emu.user_id("dave"), "due": "2026-12-15"}
    )
    items = firebell.wait_for(lambda: firebell.api("/api/v1/action-items").json(), what="the item")
    assert (items[0]["text"], items[0]["owner"], items[0]["due_on"]) == (
        "Load-test checkout",
        emu.user_id("dave"),
        "2026-12-15",
    )


def test_overdue_items_are_followed_up_once_a_day(firebell: Firebell) -> None:
    emu = firebell.emu
    room = declare(firebell)
    bob = emu.user_id("bob")
    command(firebell, f"action Fix the alert <@{bob}|bob> due 2020-01-01", room)
    command(firebell, f"action Add a dashboard <@{bob}|bob> due 2020-01-02", room)
    command(firebell, "action Nobody's item due 2020-01-03", room)
    command(firebell, "action Not yet due due in 2w", room)
    assert firebell.runtime.scheduler.nudge() == 3
    firebell.settle()
    [dm] = emu.dms("bob")
    dumped = json.dumps(dm.blocks)
    assert "You own 2 overdue action items" in dumped and "Fix the alert" in dumped and "Add a dashboard" in dumped
    unowned = [
        m for m in firebell.bot_messages(room) if "have no owner" in m.text or "no owner" in json.dumps(m.blocks)
    ]
    assert len(unowned) == 1 and "Nobody's item" in json.dumps(unowned[0].blocks)
    assert [kind for kind, _, _ in firebell.timeline(1)].count("action_nudged") == 2
    assert firebell.runtime.scheduler.nudge() == 0  # once a day
    overdue = firebell.api("/api/v1/action-items", status="overdue").json()
    assert sorted(i["text"] for i in overdue) == ["Add a dashboard", "Fix the alert", "Nobody's item"]


def test_closing_with_open_items_asks_first(firebell: Firebell) -> None:
    room = declare(firebell)
    assert "still open; resolve it before closing" in command(firebell, "close", room)
    command(firebell, "action Follow up with the vendor", room)
    command(firebell, "resolve", room)
    assert "has 1 open action item" in command(firebell, "close", room)
    assert firebell.incident(1).status.value == "resolved"
    ask = ack_with_buttons(firebell, "alice")
    firebell.driver.click("alice", room, ask.ts, "review.close_confirmed", value="1")
    firebell.wait_for(lambda: firebell.incident(1).status.value == "closed", what="closed")
    assert firebell.incident(1).next_update_due_at is None


def test_close_without_open_items(firebell: Firebell) -> None:
    room = declare(firebell)
    command(firebell, "resolve", room)
    assert "INC-1 is closed" in command(firebell, "close", room)


def test_completion_rates_in_the_api(firebell: Firebell) -> None:
    room = declare(firebell)
    command(firebell, "action One due in 3d", room)
    command(firebell, "action Two", room)
    command(firebell, "actions", room)
    firebell.driver.click("alice", room, ack_with_buttons(firebell, "alice").ts, "review.item_done", value="1")
    firebell.wait_for(lambda: firebell.api("/api/v1/action-items", status="done").json(), what="one done")
    [month] = firebell.api("/api/v1/action-items/completion", period="month").json()
    assert (month["total"], month["done"], month["completion_rate"]) == (2, 1, 0.5)
    assert (month["done_with_due_date"], month["done_on_time"], month["on_time_share"]) == (1, 1, 1.0)
    assert firebell.api("/api/v1/action-items/completion", period="year").status_code == 400
    assert firebell.api("/api/v1/action-items/completion", since="2026-01-01").json()[0]["total"] == 2
    assert firebell.api("/api/v1/action-items/completion", since="2099-01-01").json() == []
