"""The handoff DM's Block Kit, built from its payload alone."""

import json
from typing import Any

from firebell.slack.blocks.incident import Message
from firebell.slack.blocks.oncall_handoff import handoff_message


def payload(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "message": "oncall_handoff",
        "user": "U0BOB00000",
        "direction": "in",
        "schedule": "checkout-primary",
        "at": "2026-01-06T09:00:00+00:00",
        "until": "2026-01-07T09:00:00+00:00",
        "incoming": ["U0BOB00000"],
        "outgoing": ["U0ALICE000"],
        "services": ["checkout"],
        "incidents": [],
        "items": [],
    }
    return {**base, **changes}


def shown(message: Message) -> str:
    return message.text + json.dumps(message.blocks)


def test_coming_on_names_the_schedule_until_when_and_who_handed_over() -> None:
    text = shown(handoff_message(payload()))
    assert "You are now on call for *checkout-primary*" in text
    assert "<!date^1767776400^" in text and "<@U0ALICE000>" in text
    assert "No open incidents of checkout." in text


def test_going_off_to_nobody_says_so() -> None:
    text = shown(handoff_message(payload(direction="out", user="U0ALICE000", incoming=[], outgoing=["U0ALICE000"])))
    assert "Thanks for your shift" in text and "Nobody is on call after you." in text


def test_no_end_in_sight_and_long_lists_are_counted_not_cut() -> None:
    incidents = [
        {"number": n, "title": "x" * 140, "severity": "SEV2", "status": "investigating", "channel_id": None}
        for n in range(1, 51)
    ]
    items = [{"id": n, "incident": 1, "text": "y" * 200, "due": None} for n in range(1, 51)]
    message = handoff_message(payload(until=None, incidents=incidents, items=items))
    text = shown(message)
    assert "with no end in sight yet" in text
    assert "*INC-1*" in text and "more incidents not shown here" in text and "more action items not shown" in text
    assert sum(len(b["text"]["text"]) for b in message.blocks if b["type"] == "section") < 12_000
