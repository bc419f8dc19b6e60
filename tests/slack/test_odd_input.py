"""Signed but odd input gets a clear reply, never "internal error", a 500 or a traceback, and nothing is
stored: huge severity numbers, NUL bytes, button values Firebell never sent, a command without a user,
and form dates and times Slack's pickers would not send."""

import logging
from urllib.parse import unquote

import pytest

from firebell.emulator.models import Message, View
from firebell.emulator.payloads import block_actions_payload
from tests.harness import Firebell
from tests.slack.forged import forged_click, forged_submission, post_payload, post_signed, response_text
from tests.slack.test_inbox import _declare_form
from tests.slack.test_postmortem import resolve_and_wait, summaries
from tests.slack.test_war_room import command, declare


def _no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    assert [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


def _kickoff(firebell: Firebell) -> Message:
    incident = firebell.incident(1)
    return firebell.emu.message(incident.channel_id or "", incident.kickoff_ts or "")


def test_a_severity_with_thousands_of_digits_is_unknown(firebell: Firebell, caplog: pytest.LogCaptureFixture) -> None:
    reply = command(firebell, "declare sev" + "9" * 5000 + " Checkout down", "general")
    assert "Unknown severity `sev99999" in reply
    assert len(reply) < 400  # the digits are not echoed back whole
    assert firebell.api("/api/v1/incidents").json() == []
    room = declare(firebell)
    before = firebell.incident(1).severity
    assert "Unknown severity" in command(firebell, "sev " + "1" * 5000, room)
    assert firebell.incident(1).severity == before
    _no_errors_logged(caplog)


def test_a_nul_byte_in_a_title_or_text_is_refused(firebell: Firebell, caplog: pytest.LogCaptureFixture) -> None:
    reply = command(firebell, "declare sev2 Checkout\x00down", "general")
    assert "NUL character" in reply
    assert firebell.api("/api/v1/incidents").json() == []
    room = declare(firebell)
    for text in ("note a\x00b", "update all\x00good", "resolve fixed\x00"):
        assert "NUL character" in command(firebell, text, room), text
    firebell.settle()
    assert [kind for kind, _, _ in firebell.timeline(1) if kind in ("note", "update", "status_changed")] == []
    _no_errors_logged(caplog)


def test_a_nul_byte_in_a_form_field_is_shown_under_that_field(
    firebell: Firebell, caplog: pytest.LogCaptureFixture
) -> None:
    firebell.driver.slash_command("/incident", "declare", user="alice", channel="general")
    view = firebell.wait_for(lambda: next(iter(firebell.emu.views.values()), None), what="the declare form")
    answer = forged_submission(
        firebell,
        "alice",
        view,
        {"title": "Checkout down"},
        {"description": {"type": "plain_text_input", "value": "a\x00b"}},
    )
    assert answer.status_code == 200
    assert answer.json()["response_action"] == "errors"
    assert "NUL character" in answer.json()["errors"]["description"]
    assert firebell.api("/api/v1/incidents").json() == []
    _no_errors_logged(caplog)


@pytest.mark.parametrize("value", [str(10**17), "-900", "abc", "901", "900.0"])
def test_a_snooze_that_was_not_offered_is_refused(
    firebell: Firebell, caplog: pytest.LogCaptureFixture, value: str
) -> None:
    declare(firebell)
    due = firebell.incident(1).next_update_due_at
    answer, url = forged_click(firebell, "alice", _kickoff(firebell), "incident.snooze.900", value)
    assert answer.status_code == 200
    assert "not one on offer (offered: 900s, 1800s)" in response_text(firebell, url)
    assert firebell.incident(1).next_update_due_at == due
    _no_errors_logged(caplog)


@pytest.mark.parametrize(
    ("action_id", "value", "says"),
    [
        ("runbook.step_done.1", "one:two", "not a valid checklist run"),
        ("runbook.step_done.1", "12", "carries `&lt;run&gt;:&lt;step&gt;`"),
        ("runbook.step_done.1", "1:99999999999", "not a valid checklist step"),
        ("review.edit", "²", "not a valid incident number"),
        ("review.edit", "99999999999", "not a valid incident number"),
        ("review.add_action", "x", "not a valid incident number"),
        ("review.item_done", "1e3", "not a valid action item"),
        ("review.close_confirmed", "99999999999", "not a valid incident number"),
    ],
)
def test_a_button_value_firebell_never_sent_gets_a_clear_reply(
    firebell: Firebell, caplog: pytest.LogCaptureFixture, action_id: str, value: str, says: str
) -> None:
    declare(firebell)
    answer, url = forged_click(firebell, "alice", _kickoff(firebell), action_id, value)
    assert answer.status_code == 200
    assert says in response_text(firebell, url)
    _no_errors_logged(caplog)


@pytest.mark.parametrize("text", ["declare sev2 No user here", "declare", "list"])
def test_a_command_without_a_user_is_answered_and_does_nothing(
    firebell: Firebell, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    form = dict(pair.split("=", 1) for pair in _declare_form(firebell, "x").decode().split("&"))
    del form["user_id"]
    form["text"] = text
    answer = post_signed(firebell, "&".join(f"{k}={v}" for k, v in form.items()).encode().replace(b" ", b"+"))
    assert answer.status_code == 200
    assert "without a user or channel" in answer.json()["text"]
    firebell.settle()
    assert firebell.api("/api/v1/incidents").json() == []
    assert firebell.emu.views == {}
    _no_errors_logged(caplog)


def _sections_form(firebell: Firebell) -> View:
    room = declare(firebell)
    resolve_and_wait(firebell, room)
    firebell.settle()
    [summary] = summaries(firebell, room)
    firebell.driver.click("alice", room, summary.ts, "review.edit", value="1")
    view: View = firebell.wait_for(
        lambda: next((v for v in firebell.emu.views.values() if v.callback_id == "review.sections"), None),
        what="the sections form",
    )
    return view


@pytest.mark.parametrize(
    ("field", "state", "says"),
    [
        ("review_on", {"type": "datepicker", "selected_date": "tomorrow"}, "`tomorrow` is not a date"),
        ("review_on", {"type": "datepicker", "selected_date": "2026-02-30"}, "is not a date"),
        ("impact_started_at", {"type": "datetimepicker", "selected_date_time": "yesterday"}, "not a date and time"),
        ("impact_started_at", {"type": "datetimepicker", "selected_date_time": 10**17}, "not a date and time"),
    ],
)
def test_a_date_slack_would_not_send_is_a_form_error_on_its_field(
    firebell: Firebell, caplog: pytest.LogCaptureFixture, field: str, state: dict[str, object], says: str
) -> None:
    view = _sections_form(firebell)
    answer = forged_submission(firebell, "alice", view, {"summary": "Checkout failed."}, {field: state})
    assert answer.status_code == 200
    body = answer.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [field]
    assert says in body["errors"][field]
    assert "Postmortem sections edited" not in [text for _, _, text in firebell.timeline(1)]
    _no_errors_logged(caplog)


def test_a_due_date_slack_would_not_send_is_a_form_error_on_due(
    firebell: Firebell, caplog: pytest.LogCaptureFixture
) -> None:
    room = declare(firebell)
    resolve_and_wait(firebell, room)
    firebell.settle()
    [summary] = summaries(firebell, room)
    firebell.driver.click("alice", room, summary.ts, "review.add_action", value="1")
    view = firebell.wait_for(
        lambda: next((v for v in firebell.emu.views.values() if v.callback_id == "review.action"), None)
    )
    answer = forged_submission(
        firebell,
        "alice",
        view,
        {"text": "Load-test checkout"},
        {"due": {"type": "datepicker", "selected_date": "friday"}},
    )
    assert answer.json() == {
        "response_action": "errors",
        "errors": {"due": "`friday` is not a date; pick one (YYYY-MM-DD)."},
    }
    assert firebell.api("/api/v1/action-items").json() == []
    _no_errors_logged(caplog)


def test_the_update_form_refuses_a_status_it_does_not_offer(
    firebell: Firebell, caplog: pytest.LogCaptureFixture
) -> None:
    room = declare(firebell)
    firebell.driver.click("alice", room, _kickoff(firebell).ts, "incident.post_update")
    view = firebell.wait_for(
        lambda: next((v for v in firebell.emu.views.values() if v.callback_id == "incident.update"), None)
    )
    forged = {
        "type": "static_select",
        "selected_option": {"value": "exploded", "text": {"type": "plain_text", "text": "x"}},
    }
    answer = forged_submission(firebell, "alice", view, {"text": "Still on it"}, {"status": forged})
    assert answer.json()["errors"] == {"status": "Pick a status: investigating, mitigated."}
    assert [kind for kind, _, _ in firebell.timeline(1) if kind == "update"] == []
    _no_errors_logged(caplog)


def test_a_button_without_a_user_does_nothing_and_logs_no_traceback(
    firebell: Firebell, caplog: pytest.LogCaptureFixture
) -> None:
    declare(firebell)
    kickoff = _kickoff(firebell)
    with firebell.emu.lock:
        payload = block_actions_payload(
            firebell.emu,
            user_id=firebell.emu.user_id("alice"),
            actions=[{"action_id": "incident.mitigate", "block_id": "x", "type": "button", "value": "1"}],
            trigger_id=firebell.emu.issue_trigger(firebell.emu.user_id("alice"), source="block_actions"),
            channel=firebell.emu.channel(kickoff.channel),
            message=kickoff,
        )
    del payload["user"]
    assert post_payload(firebell, payload).status_code == 200
    firebell.settle()
    assert firebell.incident(1).status.value == "investigating"
    _no_errors_logged(caplog)


def test_a_reassign_without_a_picked_user_is_refused(firebell: Firebell, caplog: pytest.LogCaptureFixture) -> None:
    room = declare(firebell)
    command(firebell, "action Load-test checkout", room)
    with firebell.emu.lock:
        alice = firebell.emu.user_id("alice")
        url = firebell.emu.issue_response_url(alice, room, source="block_actions")
        payload = block_actions_payload(
            firebell.emu,
            user_id=alice,
            actions=[{"action_id": "review.item_reassign", "block_id": "item.1.room", "type": "users_select"}],
            trigger_id=firebell.emu.issue_trigger(alice, source="block_actions"),
            channel=firebell.emu.channel(room),
            response_url=url,
        )
    assert post_payload(firebell, payload).status_code == 200
    assert "Pick the new owner from the menu." in response_text(firebell, url)
    _no_errors_logged(caplog)


def test_a_button_without_a_trigger_id_is_told_the_form_did_not_open(
    firebell: Firebell, caplog: pytest.LogCaptureFixture
) -> None:
    declare(firebell)
    kickoff = _kickoff(firebell)
    with firebell.emu.lock:
        alice = firebell.emu.user_id("alice")
        url = firebell.emu.issue_response_url(alice, kickoff.channel, source="block_actions", message_ts=kickoff.ts)
        payload = block_actions_payload(
            firebell.emu,
            user_id=alice,
            actions=[{"action_id": "incident.post_update", "block_id": "x", "type": "button", "value": "1"}],
            trigger_id="unused",
            channel=firebell.emu.channel(kickoff.channel),
            message=kickoff,
            response_url=url,
        )
    del payload["trigger_id"]
    assert post_payload(firebell, payload).status_code == 200
    assert "Slack sent no trigger for this form" in response_text(firebell, url)
    _no_errors_logged(caplog)


def test_declare_without_a_trigger_id_says_to_declare_directly(
    firebell: Firebell, caplog: pytest.LogCaptureFixture
) -> None:
    form = dict(pair.split("=", 1) for pair in _declare_form(firebell, "x").decode().split("&"))
    del form["trigger_id"]
    form["text"] = "declare"
    answer = post_signed(firebell, "&".join(f"{k}={v}" for k, v in form.items()).encode())
    assert answer.status_code == 200
    assert "Declare directly instead" in response_text(firebell, unquote(form["response_url"]))
    assert firebell.emu.views == {}
    _no_errors_logged(caplog)


def test_metadata_holding_what_firebell_never_stores_is_read_as_absent(
    firebell: Firebell, caplog: pytest.LogCaptureFixture
) -> None:
    room = declare(firebell)
    firebell.driver.click("alice", room, _kickoff(firebell).ts, "incident.post_update")
    view = firebell.wait_for(
        lambda: next((v for v in firebell.emu.views.values() if v.callback_id == "incident.update"), None)
    )
    view.private_metadata = '{"number": 1, "channel": ["C1"], "severity": {"x": 1}}'
    answer = forged_submission(firebell, "alice", view, {"text": "Still on it"}, {})
    assert answer.json()["errors"] == {"text": "Write what changed and what happens next."}
    assert [kind for kind, _, _ in firebell.timeline(1) if kind == "update"] == []
    _no_errors_logged(caplog)
