"""Submitting a form's date, time and date-time pickers: only what Slack's pickers can send."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk import WebClient

from firebell.emulator import SlackEmulator
from firebell.emulator.forms import submission_state
from firebell.emulator.models import View


def _picker(block_id: str, kind: str) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": {"type": "plain_text", "text": block_id},
        "element": {"type": kind, "action_id": "value"},
    }


@pytest.fixture
def form(client: WebClient, emu: SlackEmulator) -> View:
    view = {
        "type": "modal",
        "callback_id": "pickers",
        "title": {"type": "plain_text", "text": "Pickers"},
        "submit": {"type": "plain_text", "text": "Go"},
        "blocks": [_picker("day", "datepicker"), _picker("time", "timepicker"), _picker("at", "datetimepicker")],
    }
    opened = client.views_open(trigger_id=emu.issue_trigger("alice", source="test"), view=view)["view"]
    return emu.views[opened["id"]]


def test_pickers_send_what_slack_sends(emu: SlackEmulator, form: View) -> None:
    state = submission_state(emu, form, {"day": "2026-12-24", "time": "09:05", "at": "2026-12-07 13:40"})
    assert state["day"]["value"]["selected_date"] == "2026-12-24"
    assert state["time"]["value"]["selected_time"] == "09:05"
    assert state["at"]["value"]["selected_date_time"] == int(datetime(2026, 12, 7, 13, 40, tzinfo=UTC).timestamp())
    assert submission_state(emu, form, {"at": 1700000000})["at"]["value"]["selected_date_time"] == 1700000000


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("day", "tomorrow", "YYYY-MM-DD"),
        ("day", "2026-02-30", "YYYY-MM-DD"),
        ("day", "2026-1-5", "YYYY-MM-DD"),
        ("time", "25:00", "HH:mm"),
        ("time", "9am", "HH:mm"),
        ("at", "soon", "YYYY-MM-DD HH:MM"),
        ("at", "2026-12-07", "YYYY-MM-DD HH:MM"),
        ("at", -5, "YYYY-MM-DD HH:MM"),
    ],
)
def test_pickers_refuse_what_their_ui_cannot_pick(
    emu: SlackEmulator, form: View, field: str, value: object, says: str
) -> None:
    with pytest.raises(ValueError, match=says):
        submission_state(emu, form, {field: value})
