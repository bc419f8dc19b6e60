"""Reading typed times, checking them, and the durations that make MTTD (pure, no I/O)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from firebell.domain.errors import UsageError
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.incident_times import (
    TimeField,
    TimeRefused,
    check_detected_at_declare,
    check_moment,
    field_named,
    parse_moment,
    when,
)
from firebell.domain.key_times import durations_line, key_times, signed_duration
from firebell.domain.lifecycle import Status

NOW = datetime(2026, 12, 7, 14, 10, 30, tzinfo=UTC)
M = timedelta(minutes=1)
INCIDENT = IncidentSnapshot(
    id=1,
    number=7,
    title="Checkout failing",
    severity="SEV2",
    status=Status.INVESTIGATING,
    declared_by="U0ALICE00",
    declared_at=datetime(2026, 12, 7, 14, 5, tzinfo=UTC),
    detected_at=datetime(2026, 12, 7, 14, 2, tzinfo=UTC),
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("13:50", datetime(2026, 12, 7, 13, 50, tzinfo=UTC)),
        ("13:50 UTC", datetime(2026, 12, 7, 13, 50, tzinfo=UTC)),
        ("9:05", datetime(2026, 12, 7, 9, 5, tzinfo=UTC)),
        ("23:30", datetime(2026, 12, 6, 23, 30, tzinfo=UTC)),  # later than now today: yesterday's
        ("14:10:30", datetime(2026, 12, 7, 14, 10, 30, tzinfo=UTC)),  # exactly now: today's
        ("2026-12-07 13:50", datetime(2026, 12, 7, 13, 50, tzinfo=UTC)),
        ("2026-12-05T08:00", datetime(2026, 12, 5, 8, 0, tzinfo=UTC)),
        ("2026-12-07T14:50+01:00", datetime(2026, 12, 7, 13, 50, tzinfo=UTC)),
        ("20m ago", NOW.replace(microsecond=0) - 20 * M),
        ("1h30m ago", NOW - 90 * M),
        ("1h 30m ago", NOW - 90 * M),
        ("2 hours ago", NOW - 120 * M),
        ("45 minutes ago", NOW - 45 * M),
        ("now", NOW),
        ("  20M   AGO ", NOW - 20 * M),
    ],
)
def test_the_forms_people_type_are_read_in_utc(typed: str, expected: datetime) -> None:
    assert parse_moment(typed, now=NOW) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "yesterday",
        "25:00",
        "13:61",
        "20 fortnights ago",
        "ago",
        "2026-13-01 10:00",
        "2026-12-07",
        "20261207",
        "x" * 50,
    ],
)
def test_unreadable_times_say_how_to_write_one(typed: str) -> None:
    with pytest.raises(UsageError) as refused:
        parse_moment(typed, now=NOW)
    assert "13:50" in refused.value.message and "20m ago" in refused.value.message


def test_field_names_and_their_synonyms() -> None:
    assert field_named("impact") is field_named("START") is TimeField.IMPACT
    assert field_named("detected") is field_named("noticed") is TimeField.DETECTED
    with pytest.raises(UsageError, match="declared, mitigated and resolved are set by their commands"):
        field_named("resolved")


def test_durations_are_the_pairs_the_issue_names() -> None:
    times = key_times(replace(INCIDENT, impact_started_at=INCIDENT.declared_at - 15 * M, mitigated_at=NOW))
    assert times.time_to_detect == 12 * M  # detected 14:02 - impact 13:50
    assert times.time_to_declare == 3 * M  # declared 14:05 - detected 14:02
    assert times.time_to_mitigate == NOW - datetime(2026, 12, 7, 13, 50, tzinfo=UTC)
    assert times.measured_from == "impact start"
    assert durations_line(times) == "time to detect 12m · time to declare 3m · time to mitigate 20m"


def test_without_an_impact_start_time_to_detect_is_unknown_and_durations_count_from_the_detection() -> None:
    times = key_times(INCIDENT)
    assert times.time_to_detect is None
    assert times.start == INCIDENT.detected_at
    assert times.measured_from == "detection (impact start not recorded)"
    person = key_times(replace(INCIDENT, detected_at=INCIDENT.declared_at))
    assert person.measured_from == "declare (impact start not recorded)" and person.time_to_declare == timedelta(0)
    old = key_times(replace(INCIDENT, detected_at=None))  # from before detection was kept
    assert old.detected == INCIDENT.declared_at


def test_negative_durations_keep_their_sign() -> None:
    assert signed_duration(-5 * M) == "-5m" and signed_duration(5 * M) == "5m"


def test_what_is_refused() -> None:
    times = key_times(replace(INCIDENT, mitigated_at=NOW - 2 * M))
    with pytest.raises(TimeRefused, match=r"in the future \(it is 2026-12-07 14:10 UTC now\)"):
        check_moment(TimeField.IMPACT, NOW + M, times=times, now=NOW)
    with pytest.raises(TimeRefused, match="more than 30 days before the declare"):
        check_moment(TimeField.IMPACT, NOW - timedelta(days=31), times=times, now=NOW)
    with pytest.raises(TimeRefused, match="after the incident was mitigated"):
        check_moment(TimeField.IMPACT, NOW - M, times=times, now=NOW)
    with pytest.raises(TimeRefused, match="declaring is detecting"):
        check_moment(TimeField.DETECTED, INCIDENT.declared_at + M, times=times, now=NOW)
    with pytest.raises(TimeRefused, match="in the future"):
        check_detected_at_declare(NOW + M, now=NOW)
    with pytest.raises(TimeRefused, match="more than 30 days ago"):
        check_detected_at_declare(NOW - timedelta(days=40), now=NOW)
    assert check_detected_at_declare(NOW - 20 * M, now=NOW) == NOW - 20 * M


def test_what_is_only_warned() -> None:
    times = key_times(INCIDENT)
    late_impact = check_moment(TimeField.IMPACT, INCIDENT.declared_at, times=times, now=NOW)
    assert late_impact.moment == INCIDENT.declared_at
    [warning] = late_impact.warnings
    assert "Impact started 3m after the detection" in warning and "negative" in warning
    said = key_times(replace(INCIDENT, impact_started_at=INCIDENT.declared_at - M))
    early = check_moment(TimeField.DETECTED, INCIDENT.declared_at - 10 * M, times=said, now=NOW)
    assert early.warnings == (
        "Detected 9m before the impact started (2026-12-07 14:04 UTC): time to detect is negative.",
    )
    first_alert = INCIDENT.declared_at - 20 * M
    after_alert = check_moment(
        TimeField.DETECTED, INCIDENT.declared_at - M, times=times, now=NOW, first_alert_at=first_alert
    )
    assert after_alert.warnings == (
        f"The first linked alert started at {when(first_alert)}, before this; detection is usually that.",
    )
    assert check_moment(TimeField.IMPACT, INCIDENT.declared_at - 30 * M, times=times, now=NOW).warnings == ()
