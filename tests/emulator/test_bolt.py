"""A real Bolt app behind Starlette + uvicorn, driven through the emulator end to end."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import Ack, App, Respond
from slack_bolt.adapter.starlette import SlackRequestHandler
from slack_sdk import WebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from firebell.emulator import AsgiServerThread, EmulatorServer, SlackDriver, SlackEmulator

from .conftest import SECRET, TOKEN

DECLARE_MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "incident.declare",
    "title": {"type": "plain_text", "text": "Declare an incident"},
    "submit": {"type": "plain_text", "text": "Declare"},
    "blocks": [
        {
            "type": "input",
            "block_id": "title",
            "label": {"type": "plain_text", "text": "Title"},
            "element": {"type": "plain_text_input", "action_id": "title"},
        },
        {
            "type": "input",
            "block_id": "severity",
            "label": {"type": "plain_text", "text": "Severity"},
            "element": {
                "type": "static_select",
                "action_id": "severity",
                "options": [{"text": {"type": "plain_text", "text": s}, "value": s} for s in ("SEV1", "SEV2", "SEV3")],
                "initial_option": {"text": {"type": "plain_text", "text": "SEV3"}, "value": "SEV3"},
            },
        },
        {
            "type": "input",
            "block_id": "commander",
            "optional": True,
            "label": {"type": "plain_text", "text": "IC"},
            "element": {"type": "users_select", "action_id": "commander"},
        },
    ],
}


def build_app(api_url: str) -> App:
    app = App(
        client=WebClient(token=TOKEN, base_url=api_url),
        signing_secret=SECRET,
        token_verification_enabled=False,
    )

    @app.command("/incident")
    def open_declare(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=DECLARE_MODAL)

    @app.view("incident.declare")
    def declare(ack: Ack, view: dict[str, Any], client: WebClient) -> None:
        values = view["state"]["values"]
        title = values["title"]["title"]["value"]
        if len(title) < 5:
            ack(response_action="errors", errors={"title": "Give the incident a longer title"})
            return
        ack()
        severity = values["severity"]["severity"]["selected_option"]["value"]
        commander = values["commander"]["commander"]["selected_user"]
        client.chat_postMessage(
            channel="general",
            text=f"{severity}: {title}",
            blocks=[
                {"type": "section", "text": {"type": "mrkdwn", "text": f"*{severity}* {title} (IC <@{commander}>)"}},
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "incident.mitigate",
                            "text": {"type": "plain_text", "text": "Mitigated"},
                        }
                    ],
                },
            ],
        )

    @app.action("incident.mitigate")
    def mitigate(ack: Ack, respond: Respond, body: dict[str, Any]) -> None:
        ack()
        respond(text=f"Mitigated by <@{body['user']['id']}>", replace_original=True)

    return app


@pytest.fixture
def bolt_driver(emu: SlackEmulator, server: EmulatorServer) -> Iterator[SlackDriver]:
    handler = SlackRequestHandler(build_app(server.api_url))

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    starlette = Starlette(routes=[Route("/slack/events", events, methods=["POST"])])
    with AsgiServerThread(starlette) as app, SlackDriver(emu, server, app_url=f"{app.url}/slack/events") as driver:
        yield driver


def test_command_modal_submission_and_button(bolt_driver: SlackDriver, emu: SlackEmulator) -> None:
    result = bolt_driver.slash_command("/incident", "declare", user="alice", channel="general")
    assert result.acked_in_time
    view = emu.wait_for(lambda e: next(iter(e.views.values()), None))
    assert view.callback_id == "incident.declare" and view.user == emu.user_id("alice")
    assert emu.triggers[result.trigger_id or ""].used_at is not None

    with pytest.raises(ValueError, match="required input"):
        bolt_driver.submit_view("alice", view.id, {})

    rejected = bolt_driver.submit_view("alice", view.id, {"title": "DB"})
    assert rejected.acked_in_time
    assert rejected.json() == {"response_action": "errors", "errors": {"title": "Give the incident a longer title"}}
    assert rejected.view_outcome == "errors" and not emu.views[view.id].closed
    submitted_state = rejected.payload["view"]["state"]["values"]
    assert submitted_state["severity"]["severity"]["selected_option"]["value"] == "SEV3"  # initial option
    assert submitted_state["commander"]["commander"] == {"type": "users_select", "selected_user": None}

    accepted = bolt_driver.submit_view(
        "alice", view.id, {"title": "Checkout failing", "severity": "SEV1", "commander": "bob"}
    )
    assert accepted.view_outcome == "closed" and emu.views[view.id].closed
    message = emu.wait_for(lambda e: next(iter(e.messages("general")), None))
    assert message.text == "SEV1: Checkout failing"
    assert f"<@{emu.user_id('bob')}>" in message.blocks[0]["text"]["text"]

    click = bolt_driver.click("carol", "general", message.ts, "incident.mitigate")
    assert click.acked_in_time
    emu.wait_for(lambda e: e.message("general", message.ts).text.startswith("Mitigated"))
    assert emu.responses[-1].replace_original and emu.responses[-1].status == 200
    assert [c.method for c in emu.calls] == ["auth.test", "views.open", "chat.postMessage"]
    assert emu.violations == []


def test_slow_views_open_is_caught(bolt_driver: SlackDriver, emu: SlackEmulator) -> None:
    emu.latency = 0.2
    emu.trigger_ttl = 0.1  # shrink Slack's 3 s so the test stays fast
    bolt_driver.slash_command("/incident", "declare", user="alice", channel="general")
    emu.wait_for(lambda e: e.calls_to("views.open"))
    [call] = emu.calls_to("views.open")
    assert call.error == "expired_trigger_id"
    assert any("expired" in v or "after issue" in v for v in emu.violations)
