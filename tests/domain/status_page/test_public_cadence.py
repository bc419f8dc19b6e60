"""The public due point when an incident's severity changes (pure)."""

from datetime import UTC, datetime, timedelta

from firebell.domain.status_page.public_cadence import due_after_severity_change

PUBLISHED = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
HOUR, HALF = timedelta(hours=1), timedelta(minutes=30)


def test_before_any_reminder_the_due_point_follows_the_new_interval_either_way() -> None:
    raised = due_after_severity_change(due=PUBLISHED + HOUR, interval=HALF, misses=0, last_published_at=PUBLISHED)
    assert raised == PUBLISHED + HALF  # may already have passed: due at once
    lowered = due_after_severity_change(due=PUBLISHED + HALF, interval=HOUR, misses=0, last_published_at=PUBLISHED)
    assert lowered == PUBLISHED + HOUR


def test_once_reminded_a_shorter_interval_brings_the_next_reminder_forward_never_back() -> None:
    due = PUBLISHED + 2 * HOUR  # reminded once at +1h, next at +2h
    sooner = due_after_severity_change(due=due, interval=HALF, misses=1, last_published_at=PUBLISHED)
    assert sooner == PUBLISHED + HALF
    longer = due_after_severity_change(due=due, interval=3 * HOUR, misses=1, last_published_at=PUBLISHED)
    assert longer == due


def test_a_severity_without_a_public_cadence_stops_the_reminders() -> None:
    assert due_after_severity_change(due=PUBLISHED + HALF, interval=None, misses=0, last_published_at=PUBLISHED) is None
