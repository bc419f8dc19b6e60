"""Cadence rules are pure functions of (incident, policy, now): tested exhaustively with a fixed clock."""

from datetime import UTC, datetime, timedelta

import pytest

from firebell.config import policy_from_mapping
from firebell.domain.cadence import (
    cadence_report,
    due_under_policy,
    is_on_time,
    missed_update,
    next_update_due,
    update_interval,
)
from firebell.domain.errors import PolicyError
from firebell.domain.lifecycle import Status
from firebell.domain.policy import Escalation, Policy
from firebell.domain.timeline import EventKind, TimelineEntry

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
POLICY = Policy()
M = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("severity", "status", "interval"),
    [
        ("SEV1", Status.INVESTIGATING, 15 * M),
        ("SEV1", Status.MITIGATED, 30 * M),
        ("SEV2", Status.INVESTIGATING, 30 * M),
        ("SEV2", Status.MITIGATED, 60 * M),
        ("SEV3", Status.INVESTIGATING, 60 * M),
        ("SEV4", Status.INVESTIGATING, None),
        ("SEV4", Status.MITIGATED, None),
        ("SEV1", Status.RESOLVED, None),
        ("SEV1", Status.CLOSED, None),
    ],
)
def test_interval_by_severity_and_status(severity: str, status: Status, interval: timedelta | None) -> None:
    assert update_interval(POLICY, severity=severity, status=status) == interval
    due = next_update_due(POLICY, severity=severity, status=status, last_update_at=T0)
    assert due == (T0 + interval if interval else None)


def test_mitigated_factor_is_configurable() -> None:
    policy = policy_from_mapping({"cadence": {"mitigated_factor": 3}}, source="p")
    assert update_interval(policy, severity="SEV1", status=Status.MITIGATED) == 45 * M


def test_second_scale_intervals() -> None:
    policy = policy_from_mapping(
        {"severities": [{"name": "SEV1", "description": "x", "update_interval": "3s"}], "default_severity": "SEV1"},
        source="p",
    )
    assert next_update_due(policy, severity="SEV1", status=Status.INVESTIGATING, last_update_at=T0) == T0 + timedelta(
        seconds=3
    )


def test_a_missed_due_point_schedules_the_next_one_interval_later() -> None:
    due = T0 + 15 * M
    plan = missed_update(
        POLICY,
        severity="SEV1",
        status=Status.INVESTIGATING,
        due=due,
        last_update_at=T0,
        previous_misses=0,
        now=due + timedelta(seconds=0.3),
    )
    assert plan.miss == 1
    assert plan.next_due == due + 15 * M
    assert plan.silence == 15 * M + timedelta(seconds=0.3)


def test_after_downtime_one_reminder_then_the_cadence_resumes_from_now() -> None:
    due = T0 + 15 * M
    now = T0 + 2 * 60 * M  # the service was down for several due points
    plan = missed_update(
        POLICY, severity="SEV1", status=Status.INVESTIGATING, due=due, last_update_at=T0, previous_misses=2, now=now
    )
    assert plan.miss == 3
    assert plan.next_due == now + 15 * M


def test_no_next_due_when_the_cadence_stopped() -> None:
    plan = missed_update(
        POLICY, severity="SEV4", status=Status.INVESTIGATING, due=T0, last_update_at=T0, previous_misses=0, now=T0
    )
    assert plan.next_due is None


@pytest.mark.parametrize(
    ("due", "misses", "now", "expected"),
    [
        (T0, 0, T0 - M, True),
        (T0, 0, T0, True),
        (T0, 0, T0 + M, False),
        (T0, 1, T0 - M, False),
        (None, 0, T0, None),
    ],
)
def test_on_time(due: datetime | None, misses: int, now: datetime, expected: bool | None) -> None:
    assert is_on_time(due=due, misses=misses, now=now) is expected


def test_escalation_ladder_announces_once_then_reminds_the_room() -> None:
    cadence = POLICY.cadence
    assert cadence.step(1) == (Escalation.ROOM,)
    assert cadence.step(2) == (Escalation.ROOM, Escalation.DM_COMMANDER, Escalation.MENTION_DEPUTY)
    assert cadence.step(3) == (Escalation.ROOM, Escalation.ANNOUNCEMENT)
    # A forgotten incident does not flood the announcement channel: past the ladder, the room only.
    assert [cadence.step(miss) for miss in (4, 5, 50)] == [(Escalation.ROOM,)] * 3


def test_custom_ladder_and_bad_ladders() -> None:
    policy = policy_from_mapping({"cadence": {"escalation": [["room"], ["dm_commander"]]}}, source="p")
    assert policy.cadence.step(5) == (Escalation.DM_COMMANDER,)
    announcing = policy_from_mapping(
        {"cadence": {"escalation": [["room"], ["announcement", "dm_commander"]]}}, source="p"
    )
    assert announcing.cadence.step(2) == (Escalation.ANNOUNCEMENT, Escalation.DM_COMMANDER)
    assert announcing.cadence.step(3) == (Escalation.DM_COMMANDER,)
    only_announce = policy_from_mapping({"cadence": {"escalation": [["announcement"]]}}, source="p")
    assert only_announce.cadence.step(1) == (Escalation.ANNOUNCEMENT,)
    assert only_announce.cadence.step(2) == (Escalation.ROOM,)
    with pytest.raises(
        PolicyError,
        match=r"cadence\.escalation\[0\]\[0\]: Input should be 'room', 'mention_deputy', 'dm_commander' or 'announcement'",
    ):
        policy_from_mapping({"cadence": {"escalation": [["page_everyone"]]}}, source="p")
    with pytest.raises(PolicyError, match=r"cadence\.escalation: .*list one or more steps"):
        policy_from_mapping({"cadence": {"escalation": []}}, source="p")
    with pytest.raises(PolicyError, match=r"cadence\.snooze_options.*non-zero"):
        policy_from_mapping({"cadence": {"snooze_options": ["0"]}}, source="p")


def entry(minutes: float, kind: EventKind, **data: object) -> TimelineEntry:
    return TimelineEntry(at=T0 + timedelta(minutes=minutes), kind=kind, actor=None, text="", data=dict(data))


def test_cadence_report_counts_due_on_time_and_longest_silence() -> None:
    entries = [
        entry(0, EventKind.DECLARED),
        entry(10, EventKind.UPDATE, on_time=True),
        entry(25, EventKind.REMINDER),
        entry(40, EventKind.REMINDER),
        entry(42, EventKind.UPDATE, on_time=False),  # late: its due point was already counted as missed
        entry(50, EventKind.UPDATE, on_time=True),
        entry(55, EventKind.STATUS_CHANGED, to="resolved"),
    ]
    report = cadence_report(entries, now=T0 + 600 * M)
    assert (report.updates_due, report.updates_on_time) == (4, 2)
    assert report.longest_silence == 32 * M


def test_silence_is_only_counted_while_open() -> None:
    entries = [
        entry(0, EventKind.DECLARED),
        entry(5, EventKind.STATUS_CHANGED, to="resolved"),
        entry(500, EventKind.STATUS_CHANGED, to="investigating"),
        entry(520, EventKind.UPDATE, on_time=True),
    ]
    report = cadence_report(entries, now=T0 + 530 * M)
    assert report.longest_silence == 20 * M


def test_open_incident_silence_runs_to_now() -> None:
    report = cadence_report([entry(0, EventKind.DECLARED)], now=T0 + 90 * M)
    assert report.longest_silence == 90 * M
    assert (report.updates_due, report.updates_on_time) == (0, 0)


def test_due_under_policy_replays_the_schedule_it_was_set_under() -> None:
    """With the policy in force all along, the replay lands on the due point the use cases stored."""
    entries = [
        entry(0, EventKind.DECLARED),
        entry(15, EventKind.REMINDER, due_at=(T0 + 15 * M).isoformat()),  # on time: next 15m on, at 30
        entry(50, EventKind.REMINDER, due_at=(T0 + 30 * M).isoformat()),  # down across 45: 15m from then
        entry(52, EventKind.SNOOZED, seconds=30 * 60),
    ]
    due = due_under_policy(POLICY, severity="SEV1", status=Status.INVESTIGATING, last_update_at=T0, entries=entries)
    assert due == T0 + 82 * M  # the snooze (52 + 30) outlasts the reminder's next due point (50 + 15)
    without_snooze = due_under_policy(
        POLICY, severity="SEV1", status=Status.INVESTIGATING, last_update_at=T0, entries=entries[:3]
    )
    assert without_snooze == T0 + 65 * M


def test_due_under_policy_follows_a_changed_interval() -> None:
    fast = policy_from_mapping(
        {"severities": [{"name": "SEV1", "description": "x", "update_interval": "5m"}], "default_severity": "SEV1"},
        source="p",
    )
    declared = [entry(0, EventKind.DECLARED)]
    assert due_under_policy(
        fast, severity="SEV1", status=Status.INVESTIGATING, last_update_at=T0, entries=declared
    ) == (T0 + 5 * M)
    reminded = [*declared, entry(15, EventKind.REMINDER, due_at=(T0 + 15 * M).isoformat())]
    due = due_under_policy(fast, severity="SEV1", status=Status.INVESTIGATING, last_update_at=T0, entries=reminded)
    assert due == T0 + 20 * M  # one new interval after the last missed due point
    mitigated = due_under_policy(fast, severity="SEV1", status=Status.MITIGATED, last_update_at=T0, entries=reminded)
    assert mitigated == T0 + 25 * M  # 15 + 5m x the mitigated factor


def test_due_under_policy_restarts_from_the_last_update_and_stops_without_a_cadence() -> None:
    updated = T0 + 40 * M
    entries = [
        entry(0, EventKind.DECLARED),
        entry(15, EventKind.REMINDER, due_at=(T0 + 15 * M).isoformat()),
        entry(20, EventKind.SNOOZED, seconds=60 * 60),
        entry(40, EventKind.UPDATE),  # resets: the reminder and the snooze before it no longer count
    ]
    due = due_under_policy(
        POLICY, severity="SEV1", status=Status.INVESTIGATING, last_update_at=updated, entries=entries
    )
    assert due == updated + 15 * M
    assert (
        due_under_policy(POLICY, severity="SEV4", status=Status.INVESTIGATING, last_update_at=T0, entries=entries)
        is None
    )
