"""Block Kit validation: the rules, their JSON pointers, and how the API reports them."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from firebell.emulator import SlackEmulator
from firebell.emulator.blocks import blocks_text_length, validate_blocks, validate_view


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def button(action_id: str, text: str = "Go", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": plain(text), "action_id": action_id, **extra}


def options(*values: str) -> list[dict[str, Any]]:
    return [{"text": plain(v.upper()), "value": v} for v in values]


VALID: list[dict[str, Any]] = [
    {"type": "header", "text": plain("INC-1 Checkout failing")},
    {"type": "section", "block_id": "summary", "text": mrkdwn("*SEV1*"), "fields": [mrkdwn("a"), mrkdwn("b")]},
    {
        "type": "section",
        "text": mrkdwn("pick"),
        "accessory": {
            "type": "static_select",
            "action_id": "sev",
            "options": options("sev1", "sev2"),
            "initial_option": options("sev1")[0],
        },
    },
    {"type": "divider"},
    {
        "type": "context",
        "elements": [mrkdwn("ctx"), {"type": "image", "image_url": "https://x.example/a.png", "alt_text": "a"}],
    },
    {
        "type": "actions",
        "elements": [
            button("ack", style="primary"),
            button(
                "resolve",
                style="danger",
                value="1",
                confirm={
                    "title": plain("Sure?"),
                    "text": mrkdwn("Really"),
                    "confirm": plain("Yes"),
                    "deny": plain("No"),
                },
            ),
            {"type": "users_select", "action_id": "who", "placeholder": plain("Who")},
            {"type": "overflow", "action_id": "more", "options": options("a", "b")},
        ],
    },
    {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": "hi"}]}]},
    {"type": "image", "image_url": "https://x.example/b.png", "alt_text": "graph"},
]


def test_valid_blocks_pass() -> None:
    assert validate_blocks(VALID) == []


@pytest.mark.parametrize(
    ("blocks", "pointer", "fragment"),
    [
        ([{"type": "section", "text": mrkdwn("")}], "/blocks/0/text/text", "more than 0"),
        ([{"type": "section", "text": mrkdwn("x" * 3001)}], "/blocks/0/text/text", "less than 3001"),
        ([{"type": "section", "fields": [mrkdwn("f")] * 11}], "/blocks/0/fields", "no more than 10"),
        ([{"type": "section", "fields": [mrkdwn("x" * 2001)]}], "/blocks/0/fields/0/text", "less than 2001"),
        ([{"type": "section"}], "/blocks/0", "either text or fields"),
        ([{"type": "header", "text": mrkdwn("h")}], "/blocks/0/text/type", "plain_text"),
        ([{"type": "header", "text": plain("h" * 151)}], "/blocks/0/text/text", "less than 151"),
        ([{"type": "context", "elements": [mrkdwn("c")] * 11}], "/blocks/0/elements", "no more than 10"),
        (
            [{"type": "actions", "elements": [button(f"b{i}") for i in range(26)]}],
            "/blocks/0/elements",
            "no more than 25",
        ),
        ([{"type": "divider", "block_id": "x" * 256}], "/blocks/0/block_id", "less than 256"),
        (
            [{"type": "divider", "block_id": "d"}, {"type": "divider", "block_id": "d"}],
            "/blocks/1/block_id",
            "already used",
        ),
        ([{"type": "section", "text": {"type": "markdown", "text": "x"}}], "/blocks/0/text/type", "must be one of"),
        (
            [{"type": "section", "text": {"type": "mrkdwn", "text": "x", "emoji": True}}],
            "/blocks/0/text/emoji",
            "emoji",
        ),
        (
            [{"type": "actions", "elements": [button("a", text="x" * 76)]}],
            "/blocks/0/elements/0/text/text",
            "less than 76",
        ),
        (
            [{"type": "actions", "elements": [button("a", style="blue")]}],
            "/blocks/0/elements/0/style",
            "primary, danger",
        ),
        (
            [{"type": "actions", "elements": [button("a", value="v" * 2001)]}],
            "/blocks/0/elements/0/value",
            "less than 2001",
        ),
        (
            [{"type": "actions", "elements": [button("a", url="https://" + "u" * 3000)]}],
            "/blocks/0/elements/0/url",
            "less than 3001",
        ),
        ([{"type": "actions", "elements": [button("a" * 256)]}], "/blocks/0/elements/0/action_id", "less than 256"),
        (
            [{"type": "actions", "elements": [button("a"), button("a")]}],
            "/blocks/0/elements/1/action_id",
            "already used in this block",
        ),
        (
            [{"type": "actions", "elements": [button("a", confirm={"title": plain("t")})]}],
            "/blocks/0/elements/0/confirm",
            "missing required field: text",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {"type": "static_select", "action_id": "s", "options": options(*[str(i) for i in range(101)])}
                    ],
                }
            ],
            "/blocks/0/elements/0/options",
            "no more than 100",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "static_select",
                            "action_id": "s",
                            "options": [{"text": plain("x" * 76), "value": "v"}],
                        }
                    ],
                }
            ],
            "/blocks/0/elements/0/options/0/text/text",
            "less than 76",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "static_select",
                            "action_id": "s",
                            "options": [{"text": plain("x"), "value": "v" * 151}],
                        }
                    ],
                }
            ],
            "/blocks/0/elements/0/options/0/value",
            "less than 151",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "static_select",
                            "action_id": "s",
                            "options": options("a"),
                            "initial_option": options("b")[0],
                        }
                    ],
                }
            ],
            "/blocks/0/elements/0/initial_option",
            "match",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "static_select",
                            "action_id": "s",
                            "options": [{"text": plain("A"), "value": "a", "description": mrkdwn("d")}],
                        }
                    ],
                }
            ],
            "/blocks/0/elements/0/options/0/description/type",
            "plain_text",
        ),
        (
            [{"type": "section", "text": mrkdwn("x"), "accessory": {"type": "plain_text_input", "action_id": "t"}}],
            "/blocks/0/accessory/type",
            "not allowed",
        ),
        ([{"type": "poll"}], "/blocks/0/type", "unknown block type"),
        (
            [{"type": "section", "text": mrkdwn("x"), "acessory": {}}],
            "/blocks/0/acessory",
            "invalid additional property",
        ),
        ([{"type": "divider"}] * 51, "/blocks", "no more than 50"),
        ([{"type": "image", "image_url": "https://x.example/a.png"}], "/blocks/0", "missing required field: alt_text"),
    ],
)
def test_invalid_blocks(blocks: list[dict[str, Any]], pointer: str, fragment: str) -> None:
    errors = validate_blocks(blocks)
    assert any(f"[json-pointer:{pointer}]" in e and fragment in e for e in errors), errors


def test_action_ids_strict_per_message_or_per_block() -> None:
    blocks = [{"type": "actions", "elements": [button("ack")]}, {"type": "actions", "elements": [button("ack")]}]
    assert validate_blocks(blocks, strict_action_ids=True)
    assert validate_blocks(blocks, strict_action_ids=False) == []


def test_blocks_text_length_counts_every_text() -> None:
    assert blocks_text_length(VALID[:2]) == len("INC-1 Checkout failing") + len("*SEV1*") + 2


MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "incident.declare",
    "title": plain("Declare an incident"),
    "submit": plain("Declare"),
    "close": plain("Cancel"),
    "private_metadata": "{}",
    "blocks": [
        {
            "type": "input",
            "block_id": "title",
            "label": plain("Title"),
            "element": {"type": "plain_text_input", "action_id": "title", "max_length": 80},
        },
        {
            "type": "input",
            "block_id": "severity",
            "label": plain("Severity"),
            "element": {"type": "static_select", "action_id": "severity", "options": options("SEV1", "SEV2")},
        },
    ],
}


def test_valid_modal_and_view_rules() -> None:
    assert validate_view(MODAL) == []
    assert validate_view({"type": "home", "blocks": [{"type": "divider"}]}) == []
    cases: list[tuple[dict[str, Any], str]] = [
        ({**MODAL, "title": plain("x" * 25)}, "/view/title/text"),
        ({**MODAL, "submit": plain("x" * 25)}, "/view/submit/text"),
        ({**MODAL, "close": plain("x" * 25)}, "/view/close/text"),
        ({k: v for k, v in MODAL.items() if k != "submit"}, "submit is required"),
        ({**MODAL, "private_metadata": "m" * 3001}, "/view/private_metadata"),
        ({**MODAL, "callback_id": "c" * 256}, "/view/callback_id"),
        ({**MODAL, "external_id": "e" * 256}, "/view/external_id"),
        ({**MODAL, "type": "dialog"}, "/view/type"),
        ({**MODAL, "blocks": [{"type": "divider"}] * 101}, "no more than 100"),
        ({**MODAL, "state": {"values": {}}}, "invalid additional property: state"),
        (
            {**MODAL, "blocks": [{"type": "file", "external_id": "x", "source": "remote"}]},
            "not allowed on this surface",
        ),
    ]
    for view, fragment in cases:
        assert any(fragment in e for e in validate_view(view)), (fragment, validate_view(view))


def test_invalid_blocks_through_the_api(client: WebClient, emu: SlackEmulator) -> None:
    bad = [{"type": "section", "text": mrkdwn("")}, {"type": "header", "text": plain("h" * 151)}]
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="general", text="t", blocks=bad)
    response = exc.value.response
    assert response["error"] == "invalid_blocks"
    assert response["errors"] == [
        "must be more than 0 characters [json-pointer:/blocks/0/text/text]",
        "must be less than 151 characters [json-pointer:/blocks/1/text/text]",
    ]
    assert response["response_metadata"]["messages"][0].startswith("[ERROR] ")
    assert "invalid blocks" in emu.violations[0]
    assert emu.messages("general") == []
    with pytest.raises(SlackApiError) as exc:
        client.api_call("chat.postMessage", params={"channel": "general", "text": "t", "blocks": "[{not json"})
    assert exc.value.response["error"] == "invalid_blocks_format"
