"""views.*: trigger_id lifetime and single use, stacks, hashes, Home tabs."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from firebell.emulator import SlackEmulator


def modal(title: str = "Declare", callback_id: str = "incident.declare", **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Go"},
        "blocks": [
            {
                "type": "input",
                "block_id": "title",
                "label": {"type": "plain_text", "text": "Title"},
                "element": {"type": "plain_text_input", "action_id": "title"},
            },
        ],
        **extra,
    }


def error_of(exc: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(exc.value.response["error"])


def test_open_with_a_fresh_trigger(client: WebClient, emu: SlackEmulator) -> None:
    trigger = emu.issue_trigger("alice", source="test")
    view = client.views_open(trigger_id=trigger, view=modal(private_metadata='{"n": 1}'))["view"]
    assert view["id"].startswith("V") and view["hash"] and view["callback_id"] == "incident.declare"
    assert view["state"] == {"values": {}} and view["root_view_id"] == view["id"]
    stored = emu.views[view["id"]]
    assert (stored.user, stored.callback_id, stored.private_metadata, stored.closed) == (
        emu.user_id("alice"),
        "incident.declare",
        '{"n": 1}',
        False,
    )
    assert emu.violations == []


def test_trigger_is_single_use(client: WebClient, emu: SlackEmulator) -> None:
    trigger = emu.issue_trigger("alice", source="test")
    client.views_open(trigger_id=trigger, view=modal())
    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id=trigger, view=modal())
    assert error_of(exc) == "exchanged_trigger_id"
    assert "already used" in emu.violations[0]


def test_trigger_expires_after_three_seconds(client: WebClient, emu: SlackEmulator) -> None:
    trigger = emu.issue_trigger("alice", source="test")
    emu.advance(3.2)
    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id=trigger, view=modal())
    assert error_of(exc) == "expired_trigger_id"
    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id="123.456.abc", view=modal())
    assert error_of(exc) == "invalid_trigger_id"
    assert len(emu.violations) == 2


def test_invalid_view_does_not_consume_the_trigger(client: WebClient, emu: SlackEmulator) -> None:
    trigger = emu.issue_trigger("alice", source="test")
    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id=trigger, view=modal(title="A title that is far too long"))
    assert error_of(exc) == "invalid_arguments"
    assert "[json-pointer:/view/title/text]" in exc.value.response["response_metadata"]["messages"][0]
    client.views_open(trigger_id=trigger, view=modal())
    with pytest.raises(SlackApiError) as exc:
        client.views_open(
            trigger_id=emu.issue_trigger("alice", source="test"), view=modal(blocks=[{"type": "divider"}] * 1200)
        )
    assert error_of(exc) in {"view_too_large", "invalid_arguments"}


def test_push_limit_update_hash_and_external_id(client: WebClient, emu: SlackEmulator) -> None:
    def trigger() -> str:
        return emu.issue_trigger("bob", source="test")

    root = client.views_open(trigger_id=trigger(), view=modal(external_id="inc-1-declare"))["view"]
    client.views_push(trigger_id=trigger(), view=modal(title="Step 2"))
    client.views_push(trigger_id=trigger(), view=modal(title="Step 3"))
    with pytest.raises(SlackApiError) as exc:
        client.views_push(trigger_id=trigger(), view=modal(title="Step 4"))
    assert error_of(exc) == "push_limit_reached"
    assert len(emu.modal_stacks[emu.user_id("bob")]) == 3
    updated = client.views_update(view_id=root["id"], hash=root["hash"], view=modal(title="Edited"))["view"]
    assert updated["id"] == root["id"] and updated["hash"] != root["hash"]
    assert emu.views[root["id"]].view["title"]["text"] == "Edited" and emu.views[root["id"]].updates == 1
    with pytest.raises(SlackApiError) as exc:
        client.views_update(view_id=root["id"], hash=root["hash"], view=modal(title="Stale"))
    assert error_of(exc) == "hash_conflict"
    client.views_update(external_id="inc-1-declare", view=modal(title="By ext id", external_id="inc-1-declare"))
    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id=emu.issue_trigger("carol", source="test"), view=modal(external_id="inc-1-declare"))
    assert error_of(exc) == "duplicate_external_id"
    with pytest.raises(SlackApiError) as exc:
        client.views_update(view_id="V0NOPE", view=modal())
    assert error_of(exc) == "not_found"


def test_publish_home_tab(client: WebClient, emu: SlackEmulator) -> None:
    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*Open incidents*"}}]}
    first = client.views_publish(user_id=emu.user_id("erin"), view=home)["view"]
    again = client.views_publish(user_id=emu.user_id("erin"), view=home, hash=first["hash"])["view"]
    assert again["id"] == first["id"] and emu.views[first["id"]].type == "home"
    with pytest.raises(SlackApiError) as exc:
        client.views_publish(user_id=emu.user_id("erin"), view=home, hash=first["hash"])
    assert error_of(exc) == "hash_conflict"
    with pytest.raises(SlackApiError) as exc:
        client.views_publish(user_id=emu.user_id("erin"), view=modal())
    assert error_of(exc) == "invalid_arguments"
