"""`/incident times`, `declare --detected` and the declare form's "Noticed at", through signed HTTP requests
on a hand-moved clock: what the person is told, what the war room sees, what the store and the API hold."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from tests.clock import Clock
from tests.harness import Firebell, running_firebell
from tests.slack.test_postmortem_content import nth_draft, section

MINUTE = timedelta(minutes=1)


@pytest.fixture
def clock() -> Clock:
    """Firebell's hand-moved clock, at the real time to the minute (Slack's side keeps the real clock)."""
    return Clock(datetime.now(UTC).replace(second=0, microsecond=0))


@pytest.fixture
def firebell(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, *, policy: Policy, clock: Clock
) -> Iterator[Firebell]:
    """Firebell on the hand-moved clock."""
    with running_firebell(emu, slack, database_url, policy, clock=clock) as running:
        yield running


def utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def run(firebell: Firebell, text: str, room: str, user: str = "alice") -> dict[str, Any]:
    """The whole answer (text and blocks) to a slash command."""
    result = firebell.driver.slash_command("/incident", text, user=user, channel=room)
    assert result.acked_in_time
    return firebell.driver.answer(result)


def shown(answer: dict[str, Any]) -> str:
    """What the person reads: the answer's text and blocks, as one string with escapes undone."""
    return json.dumps(answer, ensure_ascii=False).replace("\\n", "\n").replace("&gt;", ">").replace("&lt;", "<")


def test_times_are_shown_set_announced_and_served_by_the_api(firebell: Firebell, clock: Clock) -> None:
    emu = firebell.emu
    declared = clock.now
    run(firebell, "declare sev2 Checkout failing --detected 20m ago", "general")
    room = firebell.war_room(1).id
    incident = firebell.incident(1)
    assert incident.title == "Checkout failing"  # the flag is not part of the title
    assert (incident.declared_at, incident.detected_at) == (declared, declared - 20 * MINUTE)

    before = shown(run(firebell, "times", room))
    assert "*Impact started*\nnot set (taken as the detection)" in before
    assert f"*Detected*\n{utc(declared - 20 * MINUTE)}" in before
    assert f"*Declared*\n{utc(declared)}" in before
    assert "*Mitigated*\nnot yet" in before
    assert "*Time to detect* (detected − impact started)\nunknown (set the impact start)" in before
    assert "*Time to declare* (declared − detected)\n20m" in before
    assert "no alerts are linked" in before

    firebell.advance(5 * MINUTE)
    impact = declared - 32 * MINUTE
    answer = shown(run(firebell, f"times impact {impact.strftime('%H:%M')}", room, user="bob"))
    assert f"INC-1: impact start set to *{utc(impact)}*." in answer
    assert "time to detect 12m · time to declare 20m" in answer
    assert ":warning:" not in answer
    assert firebell.incident(1).impact_started_at == impact
    bob = emu.user_id("bob")
    assert firebell.timeline(1)[-1] == ("times_changed", bob, f"Impact start set to {utc(impact)} (was not set)")
    firebell.settle()
    [notice] = [m for m in firebell.bot_messages(room) if ":stopwatch:" in m.text]
    assert notice.text == f":stopwatch: <@{bob}>: Impact start set to {utc(impact)} (was not set)."
    for listed in (firebell.api("/api/v1/incidents").json()[0], firebell.api("/api/v1/incidents/1").json()):
        assert datetime.fromisoformat(listed["impact_started_at"]) == impact
        assert datetime.fromisoformat(listed["detected_at"]) == declared - 20 * MINUTE

    after = shown(run(firebell, "times", room))
    assert f"*Impact started*\n{utc(impact)}" in after
    assert "*Time to detect* (detected − impact started)\n12m" in after

    # Detection corrected by a relative time; earlier than the impact start is only warned about.
    warned = shown(run(firebell, "times detected 40m ago", room))
    assert f"detection set to *{utc(clock.now - 40 * MINUTE)}*" in warned
    assert ":warning: Detected 3m before the impact started" in warned and "time to detect is negative" in warned
    assert "time to detect -3m · time to declare 35m" in warned


def test_impossible_times_are_refused_with_the_reason(firebell: Firebell, clock: Clock) -> None:
    run(firebell, "declare sev2 Search is slow", "general")
    room = firebell.war_room(1).id
    events = len(firebell.timeline(1))
    future = (clock.now + 2 * MINUTE).strftime("%Y-%m-%d %H:%M")
    cases = {
        f"times impact {future}": f"Impact start at {future} UTC is in the future (it is {utc(clock.now)} now).",
        "times detected now": None,  # the declare time itself: allowed
        f"times detected {(clock.now + MINUTE).strftime('%Y-%m-%d %H:%M')}": "is in the future",
        "times impact 45 days ago": "more than 30 days before the declare. Check the date.",
        "times impact yesterday-ish": "Couldn't read the time `yesterday-ish`. Use `13:50` (UTC",
        "times mitigated 10m ago": "declared, mitigated and resolved are set by their commands",
    }
    for text, refusal in cases.items():
        answer = shown(run(firebell, text, room))
        if refusal is None:
            assert f"detection was already *{utc(clock.now)}*; nothing changed." in answer
            continue
        assert refusal in answer, (text, answer)
    declare_later = shown(run(firebell, f"declare sev2 Not yet --detected {future}", "general"))
    assert f"Noticed at {future} UTC is in the future" in declare_later
    assert [i["number"] for i in firebell.api("/api/v1/incidents").json()] == [1]
    firebell.advance(10 * MINUTE)
    after_declare = shown(run(firebell, "times detected 5m ago", room))
    assert "after the declare" in after_declare and "declaring is detecting" in after_declare
    run(firebell, "mitigate", room)
    firebell.advance(MINUTE)
    after_mitigation = shown(run(firebell, "times impact now", room))
    assert "Impact can't have started at" in after_mitigation and "after the incident was mitigated" in after_mitigation
    assert [kind for kind, _, _ in firebell.timeline(1)[events:]] == ["status_changed"]
    assert firebell.incident(1).impact_started_at is None
    assert "This isn't an incident channel" in run(firebell, "times", "general")["text"]


def test_times_stay_editable_after_resolve_and_close(firebell: Firebell, clock: Clock) -> None:
    run(firebell, "declare sev3 Emails delayed", "general")
    room = firebell.war_room(1).id
    firebell.advance(30 * MINUTE)
    run(firebell, "resolve queue drained", room)
    resolved = shown(run(firebell, "times impact 45m ago", room))
    assert "impact start set to" in resolved
    run(firebell, "close", room)
    assert firebell.incident(1).status.value == "closed"
    firebell.settle()
    notices = len([m for m in firebell.bot_messages(room) if ":stopwatch:" in m.text])
    closed = shown(run(firebell, "times impact 50m ago", room))
    assert f"impact start set to *{utc(clock.now - 50 * MINUTE)}*" in closed
    assert firebell.incident(1).impact_started_at == clock.now - 50 * MINUTE
    assert "its severity can no longer change" in shown(run(firebell, "sev 1", room))
    firebell.settle()
    # A closed incident's war room is a record: the change is on the timeline, not announced again.
    assert len([m for m in firebell.bot_messages(room) if ":stopwatch:" in m.text]) == notices
    assert firebell.timeline(1)[-1][2].startswith("Impact start set to")


def test_the_declare_form_asks_when_it_was_noticed(firebell: Firebell, clock: Clock) -> None:
    emu, driver = firebell.emu, firebell.driver
    driver.slash_command("/incident", "declare --detected 15m ago", user="alice", channel="general")
    form = firebell.wait_for(lambda: next((v for v in emu.views.values() if v.callback_id == "incident.declare"), None))
    [noticed] = [b for b in form.view["blocks"] if b["block_id"] == "noticed_at"]
    assert noticed["label"]["text"] == "Noticed at" and noticed["optional"] is True
    assert noticed["element"]["type"] == "datetimepicker"
    assert noticed["element"]["initial_date_time"] == int((clock.now - 15 * MINUTE).timestamp())

    too_late = driver.submit_view(
        "alice", form.id, {"title": "Payments down", "noticed_at": int(clock.now.timestamp()) + 3600}
    )
    errors = too_late.json()["errors"]
    assert list(errors) == ["noticed_at"] and "is in the future" in errors["noticed_at"]
    assert firebell.api("/api/v1/incidents").json() == []

    # Corrected in the same form (Slack keeps what was typed): 15 minutes ago, as it was prefilled.
    fixed = driver.submit_view("alice", form.id, {"noticed_at": noticed["element"]["initial_date_time"]})
    assert fixed.view_outcome != "failed" and "errors" not in fixed.json()
    firebell.war_room(1)
    assert firebell.incident(1).detected_at == clock.now - 15 * MINUTE
    assert firebell.incident(1).declared_at == clock.now


def test_a_person_declare_gets_a_detection_section(firebell: Firebell, clock: Clock) -> None:
    declared = clock.now
    run(firebell, "declare sev2 Checkout failing --detected 10m ago", "general")
    room = firebell.war_room(1).id
    run(firebell, "times impact 25m ago", room)
    firebell.advance(20 * MINUTE)
    run(firebell, "mitigate", room)
    firebell.advance(10 * MINUTE)
    run(firebell, "resolve", room)
    draft = nth_draft(firebell, 1)
    detection = section(draft, "Detection")
    assert f"Declared by alice (noticed at {utc(declared - 10 * MINUTE)})." in detection
    assert "| Time to detect (detected − impact started) | 15m |" in detection
    assert "| Time to declare (declared − detected) | 10m |" in detection
    assert "| Time to mitigate (from impact start) | 45m |" in detection
    assert "| Time to resolve (from impact start) | 55m |" in detection
    assert "Triage decisions" not in detection
    times = section(draft, "Key times")
    assert f"| Detected | {utc(declared - 10 * MINUTE)} |" in times and "| Time to declare | 10m |" in times
    assert "· Times · alice: Impact start set to" in section(draft, "Timeline")
