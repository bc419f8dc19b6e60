"""The public cadence: when the public should hear again, and what a missed public update does.

Pure functions of (due point, interval, misses, now), like the internal cadence (domain/cadence.py); the
scheduler supplies the time.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class MissedPublicUpdate:
    """A passed public due point: which consecutive miss it is, how long the page has been silent, and when
    to look again (None: the severity has no public cadence any more)."""

    miss: int
    silence: timedelta
    next_due: datetime | None


def missed_public_update(
    *, due: datetime, interval: timedelta | None, previous_misses: int, last_published_at: datetime, now: datetime
) -> MissedPublicUpdate:
    """The reminder for a passed public due point. The next one is an interval on; when the service was down
    across several due points, an interval from now instead (one reminder after a restart, not a burst)."""
    next_due = None
    if interval is not None:
        next_due = due + interval
        if next_due <= now:
            next_due = now + interval
    return MissedPublicUpdate(miss=previous_misses + 1, silence=now - last_published_at, next_due=next_due)


def due_after_severity_change(
    *, due: datetime | None, interval: timedelta | None, misses: int, last_published_at: datetime
) -> datetime | None:
    """The public due point once the incident's severity changed (to one whose public cadence is `interval`).

    Before any reminder of this silence, the due point is the last publication plus the new interval: raising
    the severity can make an update due at once, lowering it gives the page longer. Once reminders have fired,
    the page is already overdue: a shorter interval may bring the next reminder forward, never push it back.
    A severity without a public cadence stops the reminders."""
    if interval is None:
        return None
    fresh = last_published_at + interval
    if misses == 0 or due is None:
        return fresh
    return min(due, fresh)
