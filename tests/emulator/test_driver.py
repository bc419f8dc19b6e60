"""The driver: what it sends the app (signed like Slack) and what the emulator records around it."""

from __future__ import annotations

import time
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from firebell.emulator import SlackDriver, SlackEmulator

from .receiver import Receiver

BUTTONS: list[dict[str, Any]] = [
    {
        "type": "section",
        "block_id": "summary",
        "text": {"type": "mrkdwn", "text": "INC-1"},
        "accessory": {
            "type": "static_select",
            "action_id": "sev",
            "options": [
                {"text": {"type": "plain_text", "text": "SEV1"}, "value": "SEV1"},
                {"text": {"type": "plain_text", "text": "SEV2"}, "value": "SEV2"},
            ],
        },
    },
    {
        "type": "actions",
        "block_id": "kickoff.actions",
        "elements": [
            {
                "type": "button",
                "action_id": "incident.mitigate",
                "text": {"type": "plain_text", "text": "Mitigated"},
                "value": "1",
                "style": "primary",
            },
            {
                "type": "users_select",
                "action_id": "incident.assign",
                "placeholder": {"type": "plain_text", "text": "IC"},
            },
        ],
    },
]


def test_slash_command_is_signed_like_slack(driver: SlackDriver, receiver: Receiver, emu: SlackEmulator) -> None:
    result = driver.slash_command("/incident", "declare sev1 Checkout failing", user="alice", channel="general")
    assert result.acked_in_time and result.elapsed < 3
    [got] = receiver.received
    assert got.verified
    assert got.headers["content-type"] == "application/x-www-form-urlencoded"
    form = got.form()
    assert set(form) == {
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    }
    assert form["user_id"] == emu.user_id("alice") and form["channel_id"] == emu.channel("general").id
    assert form["channel_name"] == "general" and form["command"] == "/incident"
    assert form["response_url"] == result.response_url and result.response_url.startswith(f"{emu.base_url}/response/")
    assert form["trigger_id"] == result.trigger_id and result.trigger_id in emu.triggers


def test_bad_signatures_and_stale_timestamps(driver: SlackDriver, receiver: Receiver) -> None:
    wrong = driver.slash_command("/incident", "x", user="bob", channel="general", signing_secret="nope")
    stale = driver.slash_command("/incident", "x", user="bob", channel="general", timestamp=int(time.time()) - 400)
    assert (wrong.status_code, stale.status_code) == (401, 401)
    assert not wrong.acked_in_time
    assert [r.verified for r in receiver.received] == [False, False]


def test_driver_refuses_what_slack_would_not_allow(driver: SlackDriver, emu: SlackEmulator) -> None:
    emu.add_channel("private-ops", ["alice"], is_private=True)
    with pytest.raises(ValueError, match="not a member"):
        driver.slash_command("/incident", "x", user="bob", channel="private-ops")
    with pytest.raises(ValueError, match="not a member"):
        driver.post_as_user("bob", "private-ops", "let me in")
    public = emu.add_channel("public-ops", ["alice"])
    driver.post_as_user("bob", "public-ops", "joining to say hi")  # public: the user joins first, like in Slack
    assert emu.user_id("bob") in public.members
    assert [m.subtype for m in emu.messages("public-ops", include_system=True)] == ["channel_join", None]


def test_command_ack_body_is_shown_to_the_user(driver: SlackDriver, receiver: Receiver, emu: SlackEmulator) -> None:
    receiver.reply = {"text": "Declaring INC-1…", "response_type": "ephemeral"}
    driver.slash_command("/incident", "declare x", user="carol", channel="general")
    [ack] = emu.command_acks
    assert (ack.user, ack.text, ack.via) == (emu.user_id("carol"), "Declaring INC-1…", "command_ack")
    assert emu.ephemerals == []


def test_slow_ack_is_a_violation(driver: SlackDriver, receiver: Receiver, emu: SlackEmulator) -> None:
    emu.ack_deadline = 0.2  # Slack's is 3 s; shortened to keep the test fast
    receiver.delay = 0.3
    result = driver.slash_command("/incident", "slow", user="alice", channel="general")
    assert result.status_code == 200 and not result.acked_in_time
    assert "within 0.2 s" in emu.violations[0]


def test_click_builds_block_actions_from_the_stored_message(
    driver: SlackDriver, receiver: Receiver, emu: SlackEmulator, client: WebClient
) -> None:
    ts = client.chat_postMessage(channel="general", text="INC-1", blocks=BUTTONS)["ts"]
    result = driver.click("bob", "general", ts, "incident.mitigate")
    payload = receiver.received[-1].payload()
    assert payload["type"] == "block_actions"
    assert payload["container"] == {
        "type": "message",
        "message_ts": ts,
        "channel_id": emu.channel("general").id,
        "is_ephemeral": False,
    }
    assert payload["channel"]["name"] == "general" and payload["user"]["id"] == emu.user_id("bob")
    assert payload["message"]["ts"] == ts and payload["message"]["blocks"][1]["block_id"] == "kickoff.actions"
    [action] = payload["actions"]
    assert action["action_id"] == "incident.mitigate" and action["block_id"] == "kickoff.actions"
    assert action["type"] == "button" and action["value"] == "1" and action["action_ts"]
    assert payload["trigger_id"] == result.trigger_id and payload["response_url"] == result.response_url

    driver.click("bob", "general", ts, "sev", value="SEV2")
    assert receiver.received[-1].payload()["actions"][0]["selected_option"]["value"] == "SEV2"
    driver.click("bob", "general", ts, "incident.assign", value="carol")
    assert receiver.received[-1].payload()["actions"][0]["selected_user"] == emu.user_id("carol")
    with pytest.raises(ValueError, match="no element with action_id"):
        driver.click("bob", "general", ts, "incident.nope")
    with pytest.raises(ValueError, match="not an option"):
        driver.click("bob", "general", ts, "sev", value="SEV9")


def test_events_envelope_and_retries(driver: SlackDriver, receiver: Receiver, emu: SlackEmulator) -> None:
    first = driver.event(
        {"type": "member_joined_channel", "user": emu.user_id("bob"), "channel": "C123"}, event_id="Ev01"
    )
    retry = driver.event(
        {"type": "member_joined_channel", "user": emu.user_id("bob"), "channel": "C123"}, 2, event_id="Ev01"
    )
    assert first.acked_in_time and retry.acked_in_time
    envelope = receiver.received[0].json()
    assert envelope["type"] == "event_callback" and envelope["event_id"] == "Ev01"
    assert envelope["team_id"] == emu.team_id and envelope["api_app_id"] == emu.app_id
    assert envelope["authorizations"][0]["user_id"] == emu.bot_user_id and envelope["event"]["event_ts"]
    assert "x-slack-retry-num" not in receiver.received[0].headers
    assert receiver.received[1].headers["x-slack-retry-num"] == "2"
    assert receiver.received[1].headers["x-slack-retry-reason"] == "http_timeout"
    assert receiver.received[1].json()["event_id"] == "Ev01"


def test_react_updates_state_and_sends_reaction_added(
    driver: SlackDriver, receiver: Receiver, emu: SlackEmulator
) -> None:
    message = driver.post_as_user("carol", "general", "DB CPU at 100%")
    result = driver.react("bob", "general", message.ts, event_id="Ev0PIN")
    driver.react("bob", "general", message.ts, event_id="Ev0PIN", retry_num=1)
    assert result.event_id == "Ev0PIN"
    assert emu.message("general", message.ts).reactions == {"pushpin": [emu.user_id("bob")]}
    event = receiver.received[0].json()["event"]
    assert event["type"] == "reaction_added" and event["reaction"] == "pushpin"
    assert event["item"] == {"type": "message", "channel": emu.channel("general").id, "ts": message.ts}
    assert event["item_user"] == emu.user_id("carol") and event["user"] == emu.user_id("bob")


def test_url_verification(driver: SlackDriver, receiver: Receiver) -> None:
    result = driver.url_verification("challenge-123")
    assert result.json() == {"challenge": "challenge-123"}
    assert receiver.received[0].json() == {
        "token": "emulator-verification-token",
        "challenge": "challenge-123",
        "type": "url_verification",
    }


def test_response_url_rules(driver: SlackDriver, emu: SlackEmulator) -> None:
    result = driver.slash_command("/incident", "status", user="dave", channel="general")
    assert result.response_url is not None
    hook = WebhookClient(result.response_url)
    assert hook.send(text="ephemeral by default").status_code == 200
    assert hook.send(text="for everyone", response_type="in_channel").status_code == 200
    assert [(e.user, e.text, e.via) for e in emu.ephemerals] == [
        (emu.user_id("dave"), "ephemeral by default", "response_url")
    ]
    assert [m.text for m in emu.messages("general")] == ["for everyone"]
    bad = hook.send(text="t", blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": ""}}])
    assert bad.status_code == 400 and bad.body == "invalid_blocks"
    assert hook.send(text="4").status_code == 200
    assert hook.send(text="5").status_code == 200
    sixth = hook.send(text="6")
    assert (sixth.status_code, sixth.body) == (404, "used_url")
    assert [r.status for r in emu.responses] == [200, 200, 400, 200, 200, 404]
    assert emu.responses[1].response_type == "in_channel"
    assert any("used more than 5 times" in v for v in emu.violations)

    late = driver.slash_command("/incident", "status", user="dave", channel="general")
    emu.advance(30 * 60 + 1)
    expired = WebhookClient(late.response_url or "").send(text="too late")
    assert (expired.status_code, expired.body) == (404, "expired_url")


def test_response_url_replace_and_delete_original(driver: SlackDriver, emu: SlackEmulator, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="general", text="INC-1", blocks=BUTTONS)["ts"]
    clicked = driver.click("bob", "general", ts, "incident.mitigate")
    hook = WebhookClient(clicked.response_url or "")
    hook.send(text="Mitigated by bob", replace_original=True)
    message = emu.message("general", ts)
    assert message.text == "Mitigated by bob" and message.blocks == [] and message.edited == 0
    hook.send(text="", delete_original=True)
    with pytest.raises(KeyError):
        emu.message("general", ts)
    assert emu.violations == []


def test_outage_covers_response_urls(driver: SlackDriver, emu: SlackEmulator) -> None:
    result = driver.slash_command("/incident", "status", user="dave", channel="general")
    emu.outage = True
    assert WebhookClient(result.response_url or "").send(text="x").status_code == 503
    emu.outage = False
    emu.faults.add("response_url", kind="server_error", times=1)
    assert WebhookClient(result.response_url or "").send(text="x").status_code == 503
    assert WebhookClient(result.response_url or "").send(text="x").status_code == 200


def _open_modal(emu: SlackEmulator, client: WebClient, user: str = "alice") -> str:
    view = {
        "type": "modal",
        "callback_id": "incident.update",
        "title": {"type": "plain_text", "text": "Update"},
        "submit": {"type": "plain_text", "text": "Post"},
        "private_metadata": '{"incident": 1}',
        "blocks": [
            {
                "type": "input",
                "block_id": "text",
                "label": {"type": "plain_text", "text": "What changed"},
                "element": {"type": "plain_text_input", "action_id": "text", "multiline": True, "max_length": 20},
            },
            {
                "type": "actions",
                "block_id": "tools",
                "elements": [
                    {
                        "type": "static_select",
                        "action_id": "status",
                        "options": [
                            {"text": {"type": "plain_text", "text": s}, "value": s}
                            for s in ("investigating", "mitigated")
                        ],
                    }
                ],
            },
        ],
    }
    opened = client.views_open(trigger_id=emu.issue_trigger(user, source="test"), view=view)
    return str(opened["view"]["id"])


def test_click_in_view_and_submission_payload(
    driver: SlackDriver, receiver: Receiver, emu: SlackEmulator, client: WebClient
) -> None:
    view_id = _open_modal(emu, client)
    result = driver.click_in_view("alice", view_id, "status", value="mitigated")
    payload = receiver.received[-1].payload()
    assert payload["container"] == {"type": "view", "view_id": view_id} and "response_url" not in payload
    assert payload["actions"][0]["selected_option"]["value"] == "mitigated"
    assert payload["view"]["state"]["values"]["tools"]["status"]["selected_option"]["value"] == "mitigated"
    assert result.trigger_id in emu.triggers
    with pytest.raises(ValueError, match="at most 20"):
        driver.submit_view("alice", view_id, {"text": "x" * 21})
    with pytest.raises(ValueError, match="has no element 'txt'"):
        driver.submit_view("alice", view_id, {"txt": "typo"})
    with pytest.raises(ValueError, match="belongs to"):
        driver.submit_view("bob", view_id, {"text": "hi"})
    submitted = driver.submit_view("alice", view_id, {"text": "Rolled back"})
    view = receiver.received[-1].payload()["view"]
    assert receiver.received[-1].payload()["type"] == "view_submission"
    assert (view["id"], view["callback_id"], view["private_metadata"]) == (
        view_id,
        "incident.update",
        '{"incident": 1}',
    )
    assert view["hash"] and view["state"]["values"]["text"]["text"] == {
        "type": "plain_text_input",
        "value": "Rolled back",
    }
    assert view["state"]["values"]["tools"]["status"]["selected_option"]["value"] == "mitigated"
    assert submitted.view_outcome == "closed" and emu.views[view_id].closed
    with pytest.raises(ValueError, match="closed"):
        driver.submit_view("alice", view_id, {"text": "again"})


def test_submission_response_actions(
    driver: SlackDriver, receiver: Receiver, emu: SlackEmulator, client: WebClient
) -> None:
    view_id = _open_modal(emu, client)
    receiver.reply = {"response_action": "errors", "errors": {"nope": "no such block"}}
    assert driver.submit_view("alice", view_id, {"text": "a"}).view_outcome == "failed"
    assert "not input block_ids" in emu.violations[-1]
    emu.clear_log()
    next_view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Done"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Posted"}}],
    }
    receiver.reply = {"response_action": "update", "view": next_view}
    assert driver.submit_view("alice", view_id, {"text": "a"}).view_outcome == "updated"
    assert emu.views[view_id].view["title"]["text"] == "Done" and not emu.views[view_id].closed
    receiver.reply = {"response_action": "push", "view": next_view}
    assert driver.submit_view("alice", view_id).view_outcome == "pushed"
    assert len(emu.modal_stacks[emu.user_id("alice")]) == 2
    top = emu.modal_stacks[emu.user_id("alice")][-1]
    with pytest.raises(ValueError, match="not the modal on top"):
        driver.submit_view("alice", view_id)
    receiver.reply = {"response_action": "clear"}
    assert driver.submit_view("alice", top).view_outcome == "cleared"
    assert emu.views[view_id].closed and emu.views[top].closed
    assert emu.violations == []


def test_submission_values_by_block_id_when_action_ids_repeat(
    driver: SlackDriver, receiver: Receiver, emu: SlackEmulator, client: WebClient
) -> None:
    def field(block_id: str, element: dict[str, Any]) -> dict[str, Any]:
        label = {"type": "plain_text", "text": block_id}
        return {"type": "input", "block_id": block_id, "label": label, "element": {**element, "action_id": "value"}}

    view = {
        "type": "modal",
        "callback_id": "incident.declare",
        "title": {"type": "plain_text", "text": "Declare"},
        "submit": {"type": "plain_text", "text": "Declare"},
        "blocks": [
            field("title", {"type": "plain_text_input"}),
            field("commander", {"type": "users_select"}),
        ],
    }
    opened = client.views_open(trigger_id=emu.issue_trigger("alice", source="test"), view=view)["view"]
    assert emu.violations == []  # the same action_id in different blocks is fine (unique per block)
    with pytest.raises(ValueError, match="names several elements"):
        driver.submit_view("alice", opened["id"], {"value": "x"})
    driver.submit_view("alice", opened["id"], {"title": "Checkout", "commander/value": emu.user_id("bob")})
    values = receiver.received[-1].payload()["view"]["state"]["values"]
    assert values == {
        "title": {"value": {"type": "plain_text_input", "value": "Checkout"}},
        "commander": {"value": {"type": "users_select", "selected_user": emu.user_id("bob")}},
    }
