"""Text Slack cannot carry is refused with the limit before anything is confirmed; an effect Slack
refuses for good is told to the war room, once, and a failing notice about it does not loop."""

import pytest

from firebell.domain.policy import Policy
from tests.harness import Firebell
from tests.slack.test_war_room import command, declare


def _failure_notices(firebell: Firebell, room: str) -> list[str]:
    return [m.text for m in firebell.bot_messages(room) if m.text.startswith("Slack refused")]


@pytest.mark.parametrize("subcommand", ["update", "note", "resolve"])
def test_text_longer_than_a_slack_message_is_refused_with_the_limit(firebell: Firebell, subcommand: str) -> None:
    room = declare(firebell)
    firebell.settle()
    posted = len(firebell.bot_messages(room))
    reply = command(firebell, f"{subcommand} " + "x" * 13000, room)
    assert "is 13,000 characters; Slack carries at most 3,000 in one message" in reply
    firebell.settle()
    assert [kind for kind, _, _ in firebell.timeline(1) if kind in ("update", "note", "status_changed")] == []
    assert len(firebell.bot_messages(room)) == posted
    assert command(firebell, f"{subcommand} " + "x" * 3000, room)  # at the limit it goes through
    firebell.settle()
    assert _failure_notices(firebell, room) == []


def test_escaping_counts_against_the_limit(firebell: Firebell) -> None:
    """3,000 ampersands are 15,000 characters once escaped, past what Slack takes in one message."""
    room = declare(firebell)
    reply = command(firebell, "update " + "&" * 3000, room)
    assert "is 15,000 characters as Slack counts them" in reply
    firebell.settle()
    assert [kind for kind, _, _ in firebell.timeline(1) if kind in ("update", "slack_failure")] == []


@pytest.mark.parametrize("policy", [Policy(announcement_channel=None)])
def test_an_update_slack_refuses_for_good_is_told_to_the_room_once(firebell: Firebell) -> None:
    room = declare(firebell)
    firebell.settle()
    firebell.emu.faults.add("chat.postMessage", kind="error", error="msg_blocks_too_long", times=1)
    command(firebell, "update deploy rolled back", room)
    firebell.settle()
    failures = [text for kind, _, text in firebell.timeline(1) if kind == "slack_failure"]
    assert failures == ["Slack refused post notice: msg_blocks_too_long"]
    assert _failure_notices(firebell, room) == ["Slack refused a status update"]
    [message] = [m for m in firebell.bot_messages(room) if m.text.startswith("Slack refused")]
    text = message.blocks[0]["text"]["text"]
    assert "`msg_blocks_too_long`" in text
    assert "too long for one Slack message" in text


@pytest.mark.parametrize("policy", [Policy(announcement_channel=None)])
def test_a_failure_notice_that_fails_is_recorded_and_not_repeated(firebell: Firebell) -> None:
    room = declare(firebell)
    firebell.settle()
    # The update's post and then the notice about it are both refused; after that Slack takes posts again.
    firebell.emu.faults.add("chat.postMessage", kind="error", error="invalid_blocks", times=2)
    command(firebell, "update deploy rolled back", room)
    firebell.settle()
    failures = [data for kind, _, data in firebell.timeline(1) if kind == "slack_failure"]
    assert len(failures) == 2
    assert _failure_notices(firebell, room) == []
    assert firebell.pending_effects() == []
