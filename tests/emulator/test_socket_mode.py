"""Socket Mode: apps.connections.open, the WebSocket (hello, envelopes, acks, disconnect) and the driver over it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect as ws_connect

from firebell.emulator import EmulatorServer, SlackDriver, SlackEmulator

from .socket_app import SocketApp

MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "incident.declare",
    "title": {"type": "plain_text", "text": "Declare"},
    "submit": {"type": "plain_text", "text": "Declare"},
    "blocks": [
        {
            "type": "input",
            "block_id": "title",
            "label": {"type": "plain_text", "text": "Title"},
            "element": {"type": "plain_text_input", "action_id": "title"},
        }
    ],
}
BUTTON: list[dict[str, Any]] = [
    {
        "type": "actions",
        "block_id": "kickoff.actions",
        "elements": [
            {
                "type": "button",
                "action_id": "incident.mitigate",
                "text": {"type": "plain_text", "text": "Mitigated"},
                "value": "1",
            }
        ],
    }
]


@pytest.fixture
def app(emu: SlackEmulator, server: EmulatorServer) -> Iterator[SocketApp]:
    """slack_sdk's builtin Socket Mode client, connected to the emulator."""
    running = SocketApp.connect(emu, server)
    emu.socket_mode.wait_for_connection()
    yield running
    running.close()


@pytest.fixture
def socket_driver(emu: SlackEmulator, server: EmulatorServer) -> Iterator[SlackDriver]:
    """A driver delivering over Socket Mode."""
    with SlackDriver(emu, server, socket_mode=True) as running:
        yield running


def test_apps_connections_open_needs_the_app_level_token(emu: SlackEmulator, server: EmulatorServer) -> None:
    web = WebClient(base_url=server.api_url, retry_handlers=[])
    url = web.apps_connections_open(app_token=emu.app_token)["url"]
    assert url.startswith(f"ws://127.0.0.1:{server.port}/socket-mode/")
    assert url != web.apps_connections_open(app_token=emu.app_token)["url"]  # a fresh ticket each time
    assert emu.violations == []

    for token, error in ((emu.bot_token, "not_allowed_token_type"), ("xapp-wrong", "invalid_auth")):
        with pytest.raises(SlackApiError) as caught:
            web.apps_connections_open(app_token=token)
        assert caught.value.response["error"] == error
    with pytest.raises(SlackApiError) as caught:
        WebClient(token=emu.app_token, base_url=server.api_url).chat_postMessage(channel="general", text="hi")
    assert caught.value.response["error"] == "not_allowed_token_type"
    assert len(emu.violations) == 3


def test_hello_on_connect(app: SocketApp, emu: SlackEmulator) -> None:
    hello = emu.wait_for(lambda _: next((m for m in app.messages if m.get("type") == "hello"), None))
    assert hello["num_connections"] == 1
    assert hello["connection_info"] == {"app_id": emu.app_id}
    assert set(hello["debug_info"]) >= {"host", "approximate_connection_time"}
    [conn] = emu.socket_mode.connections
    assert conn.is_open and conn.id in (app.client.wss_uri or "")


def test_tickets_are_single_use(emu: SlackEmulator, server: EmulatorServer) -> None:
    url = WebClient(base_url=server.api_url).apps_connections_open(app_token=emu.app_token)["url"]
    with ws_connect(url) as first:
        assert '"hello"' in str(first.recv(timeout=2))
        with pytest.raises(InvalidStatus) as caught:
            ws_connect(url)
        assert caught.value.response.status_code == 403
    emu.wait_for(lambda e: not e.socket_mode.connections)
    assert any("already used ticket" in v for v in emu.violations)


def test_acks_that_break_the_protocol_are_violations(emu: SlackEmulator, server: EmulatorServer) -> None:
    url = WebClient(base_url=server.api_url).apps_connections_open(app_token=emu.app_token)["url"]
    with (
        ws_connect(url) as ws,
        SlackDriver(emu, server, socket_mode=True, timeout=2) as driver,
        ThreadPoolExecutor(1) as pool,
    ):
        assert json.loads(ws.recv(timeout=2))["type"] == "hello"
        pending = pool.submit(driver.slash_command, "/incident", "help", user="alice", channel="general")
        envelope = json.loads(ws.recv(timeout=2))
        assert envelope["type"] == "slash_commands" and envelope["payload"]["command"] == "/incident"
        ws.send(json.dumps({"envelope_id": envelope["envelope_id"], "payload": {"text": "Usage"}}))
        assert pending.result().json() == {"text": "Usage"}
        ws.send(json.dumps({"envelope_id": envelope["envelope_id"]}))
        ws.send("not json")
        ws.send(json.dumps({"envelope_id": "nope"}))
        violations = emu.wait_for(lambda e: e.violations if len(e.violations) == 3 else None)
    twice, garbage, unknown = violations
    assert "acked twice" in twice and "not JSON" in garbage and "unknown envelope_id" in unknown


def test_slash_command_over_the_socket(
    app: SocketApp, socket_driver: SlackDriver, emu: SlackEmulator, server: EmulatorServer
) -> None:
    app.reply = {"text": "Declared *INC-1*"}
    result = socket_driver.slash_command("/incident", "declare sev1 Checkout", user="alice", channel="general")
    assert result.acked_in_time and result.via == "socket" and result.status_code == 200
    assert result.json() == {"text": "Declared *INC-1*"}
    assert [a.text for a in emu.command_acks] == ["Declared *INC-1*"]
    [req] = app.requests
    assert req.type == "slash_commands" and req.envelope_id == result.envelope_id
    assert req.accepts_response_payload and req.retry_attempt is None
    assert req.payload == result.payload and req.payload["text"] == "declare sev1 Checkout"
    [delivery] = emu.socket_mode.deliveries
    assert delivery.acked and delivery.payload == app.reply
    assert set(delivery.envelope) == {"envelope_id", "payload", "type", "accepts_response_payload"}

    WebClient(token=emu.bot_token, base_url=server.api_url).views_open(trigger_id=result.trigger_id, view=MODAL)
    view = emu.wait_for(lambda e: next(iter(e.views.values()), None))
    app.reply = {"response_action": "errors", "errors": {"title": "Too short"}}
    submitted = socket_driver.submit_view("alice", view.id, {"title": "DB"})
    assert submitted.view_outcome == "errors" and emu.views[view.id].errors == {"title": "Too short"}
    assert app.requests[-1].type == "interactive" and app.requests[-1].accepts_response_payload
    assert app.requests[-1].payload["type"] == "view_submission"
    assert emu.violations == [] and emu.warnings == []


def test_clicks_and_events_over_the_socket(
    app: SocketApp, socket_driver: SlackDriver, emu: SlackEmulator, server: EmulatorServer
) -> None:
    web = WebClient(token=emu.bot_token, base_url=server.api_url)
    ts = web.chat_postMessage(channel=emu.channel("general").id, text="INC-1", blocks=BUTTON)["ts"]

    click = socket_driver.click("bob", "general", ts, "incident.mitigate")
    assert click.acked_in_time and click.json() == {}
    assert app.requests[-1].type == "interactive" and not app.requests[-1].accepts_response_payload
    assert app.requests[-1].payload["actions"][0]["action_id"] == "incident.mitigate"

    react = socket_driver.react("carol", "general", ts, "eyes")
    retry = socket_driver.react("carol", "general", ts, "pushpin", event_id="Ev0RETRY", retry_num=2)
    assert react.acked_in_time and retry.acked_in_time
    first, second = app.requests[-2:]
    assert first.type == second.type == "events_api"
    assert (first.retry_attempt, first.retry_reason) == (0, "")
    assert (second.retry_attempt, second.retry_reason) == (2, "http_timeout")
    assert first.payload["type"] == "event_callback" and first.payload["event"]["reaction"] == "eyes"
    assert not first.accepts_response_payload
    assert emu.violations == []

    app.reply = {"text": "ignored"}
    socket_driver.react("dave", "general", ts, "fire")
    assert any("do not accept a response payload" in w for w in emu.warnings)


def test_late_and_missing_acks(app: SocketApp, emu: SlackEmulator, server: EmulatorServer) -> None:
    emu.ack_deadline = 0.1  # shrink Slack's 3 s so the test stays fast
    app.delay = 0.2
    with SlackDriver(emu, server, socket_mode=True, timeout=1.0) as driver:
        late = driver.slash_command("/incident", "help", user="alice", channel="general")
    assert late.status_code == 200 and late.elapsed >= 0.1 and not late.acked_in_time
    assert any("to ack over Socket Mode" in v for v in emu.violations)

    app.delay, app.ack = 0.0, False
    with SlackDriver(emu, server, socket_mode=True, timeout=0.2) as driver:
        missing = driver.slash_command("/incident", "help", user="alice", channel="general")
    assert missing.status_code == 504 and not missing.acked_in_time
    assert any("never acked" in v for v in emu.violations)
    assert emu.command_acks == []


def test_disconnect_makes_the_app_reconnect(app: SocketApp, socket_driver: SlackDriver, emu: SlackEmulator) -> None:
    [old] = emu.socket_mode.connections
    assert emu.socket_mode.disconnect("refresh_requested", close_after=0.1) == 1
    emu.wait_for(lambda e: not old.is_open and e.socket_mode.connections)
    [new] = emu.socket_mode.connections
    assert new.id != old.id and old.disconnect_reason == "refresh_requested"
    assert any(m.get("type") == "disconnect" and m.get("reason") == "refresh_requested" for m in app.messages)
    assert socket_driver.slash_command("/incident", "help", user="alice", channel="general").acked_in_time
    assert emu.socket_mode.deliveries[-1].connection_id == new.id


def test_driver_needs_a_transport(emu: SlackEmulator, server: EmulatorServer) -> None:
    with pytest.raises(ValueError, match="app_url"):
        SlackDriver(emu, server)
    with SlackDriver(emu, server, socket_mode=True) as driver:
        with pytest.raises(RuntimeError, match="no app is connected"):
            driver.slash_command("/incident", "help", user="alice", channel="general")
        with pytest.raises(ValueError, match="not signed"):
            driver.slash_command("/incident", "help", user="alice", channel="general", signing_secret="x")
        with pytest.raises(ValueError, match="url_verification"):
            driver.url_verification("challenge")
