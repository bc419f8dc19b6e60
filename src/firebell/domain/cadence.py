"""The communication cadence: when an incident's next status update is due, and how it went.

Pure functions of (incident state, policy, now); the scheduler and the use cases supply the time.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from firebell.domain.lifecycle import Status
from firebell.domain.policy import Policy
from firebell.domain.timeline import BY_TIME, EventKind, TimelineEntry


def update_interval(policy: Policy, *, severity: str, status: Status) -> timedelta | None:
    """How often stakeholders hear from an incident now: its severity's interval, relaxed once mitigated."""
    if not status.is_open:
        return None
    interval = policy.known(severity).update_interval
    if interval is None:
        return None
    if status is Status.MITIGATED:
        return interval * policy.cadence.mitigated_factor
    return interval


def next_update_due(policy: Policy, *, severity: str, status: Status, last_update_at: datetime) -> datetime | None:
    """The next due point after the last update (or declaration); None when no cadence applies."""
    interval = update_interval(policy, severity=severity, status=status)
    return last_update_at + interval if interval is not None else None


# The timeline events that set an incident's due point: each of these kinds reschedules from the last update.
_RESETS = frozenset({EventKind.DECLARED, EventKind.UPDATE, EventKind.SEVERITY_CHANGED, EventKind.STATUS_CHANGED})
SCHEDULE_KINDS = _RESETS | {EventKind.REMINDER, EventKind.SNOOZED}


def _instant(value: object) -> datetime:
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def due_under_policy(
    policy: Policy, *, severity: str, status: Status, last_update_at: datetime, entries: list[TimelineEntry]
) -> datetime | None:
    """The next due point this policy gives an open incident, replaying what set it: the last update (or
    declaration, severity or status change), the reminders since, and snoozes.

    With the policy the due point was set under, this is the stored due point; after an interval change it
    is where that due point would have been had the new interval been in force.
    """
    interval = update_interval(policy, severity=severity, status=status)
    if interval is None:
        return None
    due = last_update_at + interval
    for entry in sorted(entries, key=BY_TIME):
        if entry.kind in _RESETS:
            due = last_update_at + interval
        elif entry.kind is EventKind.REMINDER and "due_at" in entry.data:
            due = _instant(entry.data["due_at"]) + interval  # as missed_update: one interval on, or from then
            if due <= entry.at:
                due = entry.at + interval
        elif entry.kind is EventKind.SNOOZED and "seconds" in entry.data:
            due = max(due, entry.at + timedelta(seconds=int(entry.data["seconds"])))
    return due


@dataclass(frozen=True)
class MissedUpdate:
    """What the scheduler does when a due point passes without an update."""

    miss: int  # 1 for the first consecutive miss, 2 for the second, ...
    silence: timedelta  # time since the last update (or declaration)
    next_due: datetime | None  # the following due point


def missed_update(
    policy: Policy,
    *,
    severity: str,
    status: Status,
    due: datetime,
    last_update_at: datetime,
    previous_misses: int,
    now: datetime,
) -> MissedUpdate:
    """The reminder for a passed due point, and when to look again.

    The next due point is one interval after this one; if the service was down across several due
    points, it is one interval from now instead, so a restart sends one reminder rather than a burst.
    """
    interval = update_interval(policy, severity=severity, status=status)
    next_due = None
    if interval is not None:
        next_due = due + interval
        if next_due <= now:
            next_due = now + interval
    return MissedUpdate(miss=previous_misses + 1, silence=now - last_update_at, next_due=next_due)


def is_on_time(*, due: datetime | None, misses: int, now: datetime) -> bool | None:
    """Whether an update posted now meets its due point (None when no update was due)."""
    if due is None:
        return None
    return misses == 0 and now <= due


@dataclass(frozen=True)
class CadenceReport:
    """How well an incident kept its communication cadence."""

    updates_due: int
    updates_on_time: int
    longest_silence: timedelta


# The only kinds of event the cadence record reads (a status check need not load every note).
CADENCE_KINDS = frozenset({EventKind.DECLARED, EventKind.REMINDER, EventKind.UPDATE, EventKind.STATUS_CHANGED})


def cadence_report(entries: list[TimelineEntry], *, now: datetime) -> CadenceReport:
    """Derive the cadence record from the timeline: updates due and on time, and the longest silence.

    A due point is either met by an on-time update or missed (a reminder). Silence is measured only while
    the incident is open: from the declaration or last update to the next update, resolve, or now.
    """
    due = on_time = 0
    longest = timedelta(0)
    last: datetime | None = None
    is_open = True
    for entry in sorted(entries, key=BY_TIME):
        if entry.kind is EventKind.DECLARED:
            last = entry.at
        elif entry.kind is EventKind.REMINDER:
            due += 1
        elif entry.kind is EventKind.UPDATE:
            if entry.data.get("on_time") is True:
                due += 1
                on_time += 1
            if is_open and last is not None:
                longest = max(longest, entry.at - last)
            last = entry.at
        elif entry.kind is EventKind.STATUS_CHANGED:
            to = Status(entry.data.get("to", Status.INVESTIGATING.value))
            if is_open and not to.is_open and last is not None:
                longest = max(longest, entry.at - last)
                is_open = False
            elif not is_open and to.is_open:
                is_open, last = True, entry.at
    if is_open and last is not None:
        longest = max(longest, now - last)
    return CadenceReport(updates_due=due, updates_on_time=on_time, longest_silence=longest)
