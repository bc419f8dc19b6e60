"""Acknowledged means recorded: slash commands go through the inbox, and a replayed or retried request
(the same signed bytes, the same trigger_id or event_id) is carried out once."""

import json
import threading
import time
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import func, select

from firebell.emulator.driver import sign
from firebell.emulator.payloads import slash_command_form
from firebell.slack.listeners import commands
from firebell.store.models import InboxEntry, Incident
from tests.harness import Firebell


def _post_signed(firebell: Firebell, body: bytes, content_type: str) -> httpx.Response:
    ts = int(time.time())
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sign(firebell.emu.signing_secret, ts, body),
    }
    return httpx.post(f"{firebell.url}/slack/events", content=body, headers=headers, timeout=10)


def _declare_form(firebell: Firebell, title: str) -> bytes:
    emu = firebell.emu
    with emu.lock:
        user = emu.user_id("alice")
        channel = emu.channel("general")
        emu.ensure_member(user, channel)
        form = slash_command_form(
            emu,
            command="/incident",
            text=f"declare sev2 {title}",
            user_id=user,
            channel=channel,
            response_url=emu.issue_response_url(user, channel.id, source="slash_command"),
            trigger_id=emu.issue_trigger(user, source="slash_command", channel=channel.id),
        )
    return urlencode(form).encode()


def _incidents_titled(firebell: Firebell, title: str) -> int:
    with firebell.runtime.ctx.db.read() as session:
        return int(session.scalar(select(func.count(Incident.id)).where(Incident.title == title)) or 0)


def test_a_replayed_slash_command_declares_once(firebell: Firebell) -> None:
    body = _declare_form(firebell, "Checkout returns 502")
    answers = [_post_signed(firebell, body, "application/x-www-form-urlencoded") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert firebell.runtime.inbox.wait_idle(10)
    firebell.settle()
    assert _incidents_titled(firebell, "Checkout returns 502") == 1
    with firebell.runtime.ctx.db.read() as session:
        entries = session.scalars(select(InboxEntry).where(InboxEntry.kind == "command")).all()
    assert [(e.status, e.attempts) for e in entries] == [("done", 1)]
    assert "token" not in entries[0].payload  # the verification token is not stored


def test_commands_are_recorded_before_the_ack_and_carried_out_in_order(firebell: Firebell) -> None:
    driver = firebell.driver
    driver.slash_command("/incident", "declare sev2 Search is slow", user="alice", channel="general")
    room = firebell.war_room(1)
    for text in ("note first", "note second", "update third"):
        driver.slash_command("/incident", text, user="alice", channel=room.id)
    kinds = [(kind, text) for kind, _, text in firebell.timeline(1) if kind in ("note", "update")]
    assert kinds == [("note", "first"), ("note", "second"), ("update", "third")]
    with firebell.runtime.ctx.db.read() as session:
        lanes = session.execute(select(InboxEntry.lane, InboxEntry.status).order_by(InboxEntry.id)).all()
    alice = firebell.emu.user_id("alice")
    assert lanes == [(f"declarer:{alice}", "done")] + [(f"channel:{room.id}", "done")] * 3


def test_a_retried_event_is_carried_out_once(firebell: Firebell) -> None:
    driver = firebell.driver
    driver.slash_command("/incident", "declare sev2 Payments failing", user="alice", channel="general")
    room = firebell.war_room(1)
    message = driver.post_as_user("bob", room.id, "Rolled back the 14:02 deploy")
    first = driver.react("bob", room.id, message.ts, "pushpin")
    assert first.status_code == 200
    envelope = dict(first.payload)
    # Slack retries an event it thinks was not acknowledged: the same event_id, with retry headers.
    retry = driver.event(envelope["event"], 1, event_id=envelope["event_id"])
    assert retry.status_code == 200
    firebell.settle()
    pins = [text for kind, _, text in firebell.timeline(1) if kind == "pin"]
    assert len(pins) == 1
    with firebell.runtime.ctx.db.read() as session:
        keys = session.scalars(select(InboxEntry.key).where(InboxEntry.kind == "event_callback")).all()
    assert keys == [f"event_id:{envelope['event_id']}"]


def test_a_replayed_form_submission_declares_once(firebell: Firebell) -> None:
    driver = firebell.driver
    driver.slash_command("/incident", "declare", user="alice", channel="general")
    view = firebell.wait_for(lambda: next(iter(firebell.emu.views.values()), None), what="the declare form")
    first = driver.submit_view("alice", view.id, {"title": "Login page blank"})
    assert first.status_code == 200
    replay = _post_signed(
        firebell, urlencode({"payload": json.dumps(first.payload)}).encode(), "application/x-www-form-urlencoded"
    )
    assert replay.status_code == 200
    firebell.settle()
    assert _incidents_titled(firebell, "Login page blank") == 1


def test_the_declarer_hears_declared_before_the_war_room_is_ready(firebell: Firebell) -> None:
    """Both answers are queued with the declare, in one lane: "declared" can never arrive second."""
    result = firebell.driver.slash_command("/incident", "declare sev2 Queue backlog", user="alice", channel="general")
    firebell.war_room(1)
    firebell.settle()
    url_id = str(result.response_url).rsplit("/", 1)[1]
    texts = [str(r.text) for r in firebell.emu.responses if r.url_id == url_id and r.status == 200]
    assert len(texts) == 2
    assert texts[0].startswith(":fire: Declared *INC-1* (SEV2)")
    assert "war room is ready" in texts[1]


def test_a_command_acknowledged_before_its_record_committed_is_carried_out_and_waited_for(
    firebell: Firebell, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The store is held by another writer past the time an ack waits for its record: Slack is answered at
    # once, the record lands when the writer lets go, and the command is carried out then. Until then the
    # inbox is not idle (tests and `firebell` tools wait on that).
    monkeypatch.setattr(commands, "RECORD_BUDGET", 0.2)
    engine = firebell.runtime.ctx.db.engine
    holding = threading.Event()

    def hold_the_writer() -> None:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql("LOCK TABLE inbox IN EXCLUSIVE MODE")
            else:
                conn.exec_driver_sql("UPDATE counters SET value = value")  # SQLite's one write lock
            holding.set()
            time.sleep(1.0)

    holder = threading.Thread(target=hold_the_writer)
    holder.start()
    assert holding.wait(5)
    result = firebell.driver.slash_command("/incident", "declare Slow store", user="alice", channel="general")
    assert result.acked_in_time
    assert firebell.incident(1).title == "Slow store"  # slash_command returned only once it was carried out
    holder.join()
