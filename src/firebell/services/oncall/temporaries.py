"""Temporary schedules: for a window (a holiday, a launch week) a schedule's rotation is replaced by the shifts
given. Data, not config: each is recorded with who made it, and removing one keeps the record with who removed
it. Two overlapping temporaries of one schedule are refused, also when made at the same moment: the check and the
insert run under the schedule's lock row.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from firebell.domain.errors import FirebellError, UsageError
from firebell.domain.oncall import Span
from firebell.services.context import Context
from firebell.services.oncall.anchors import lock_schedule
from firebell.services.oncall.answers import schedule_config, span_of, stored_span, temporaries_between
from firebell.services.oncall.overrides import person
from firebell.store.models import OncallTemporary

MAX_LENGTH = timedelta(days=366)
MAX_PEOPLE = 20
MIN_TURN = timedelta(hours=1)
MAX_SHIFTS = 2000


class TemporaryNotFound(FirebellError):
    """No temporary schedule of that id on that schedule."""


@dataclass(frozen=True)
class TemporaryView:
    """A temporary schedule as recorded; `shifts`: (start, end, users) in order."""

    id: int
    schedule: str
    start: datetime
    end: datetime
    shifts: tuple[Span, ...]
    created_by: str
    created_at: datetime
    removed_by: str | None
    removed_at: datetime | None

    @classmethod
    def of(cls, row: OncallTemporary) -> "TemporaryView":
        """From its row."""
        return cls(
            id=row.id,
            schedule=row.schedule,
            start=row.starts_at,
            end=row.ends_at,
            shifts=tuple(span_of(s) for s in row.shifts),
            created_by=row.created_by,
            created_at=row.created_at,
            removed_by=row.removed_by,
            removed_at=row.removed_at,
        )

    @property
    def users(self) -> tuple[str, ...]:
        """Everyone on it, in order of first turn."""
        return tuple(dict.fromkeys(u for s in self.shifts for u in s.users))


def _when(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def turns(start: datetime, end: datetime, users: Sequence[str], every: timedelta | None) -> list[Span]:
    """Everyone together over [start, end) (`every` None), or each in turn for `every` at a time."""
    if every is None:
        return [Span(start, end, tuple(users))]
    spans, at, index = [], start, 0
    while at < end:
        spans.append(Span(at, min(at + every, end), (users[index % len(users)],)))
        at, index = at + every, index + 1
    return spans


def add_temporary(
    ctx: Context,
    schedule: str,
    start: datetime,
    end: datetime,
    users: Sequence[str],
    *,
    by: str,
    every: timedelta | None = None,
) -> TemporaryView:
    """Replace `schedule`'s rotation over [start, end) with `users` (together, or in turns of `every`); refused
    (UsageError) when the window is backwards, in the past, too long, or overlaps another temporary schedule."""
    schedule_config(ctx, schedule)
    people = list(dict.fromkeys(person(u, "user") for u in users))
    now = ctx.clock()
    if not people:
        raise UsageError("A temporary schedule needs at least one person on call: mention them, e.g. @alice @bob.")
    if len(people) > MAX_PEOPLE:
        raise UsageError(f"A temporary schedule takes at most {MAX_PEOPLE} people; {len(people)} were given.")
    if end <= start:
        raise UsageError(f"The temporary schedule ends ({_when(end)}) before it starts ({_when(start)}).")
    if end <= now:
        raise UsageError(f"The temporary schedule lies in the past: it ends at {_when(end)}; it is now {_when(now)}.")
    if end - start > MAX_LENGTH:
        raise UsageError(f"The temporary schedule lasts {(end - start).days} days; at most {MAX_LENGTH.days} days.")
    if every is not None and (every < MIN_TURN or (end - start) / every > MAX_SHIFTS):
        raise UsageError(f"Turns of {every} are too short: at least 1h, and at most {MAX_SHIFTS} turns in all.")
    shifts = turns(start, end, people, every)
    with ctx.db.transaction() as session:
        lock_schedule(session, schedule, now)
        clash = session.scalars(_live(schedule, start, end).order_by(OncallTemporary.starts_at).limit(1)).first()
        if clash is not None:
            raise UsageError(
                f"{schedule} already has temporary schedule {clash.id} from {_when(clash.starts_at)} to "
                f"{_when(clash.ends_at)}, which overlaps: remove it first "
                f"(`/oncall temporary {schedule} remove {clash.id}`), or choose a window outside it."
            )
        row = OncallTemporary(
            schedule=schedule,
            starts_at=start,
            ends_at=end,
            shifts=[stored_span(s) for s in shifts],
            created_by=by,
            created_at=now,
        )
        session.add(row)
        session.flush()
        return TemporaryView.of(row)


def _live(schedule: str, start: datetime, end: datetime) -> Any:
    return select(OncallTemporary).where(
        OncallTemporary.schedule == schedule,
        OncallTemporary.removed_at.is_(None),
        OncallTemporary.starts_at < end,
        OncallTemporary.ends_at > start,
    )


def active_temporaries(ctx: Context, schedule: str, start: datetime, end: datetime) -> list[TemporaryView]:
    """The temporary schedules of `schedule` that meet [start, end) and are not removed, oldest first."""
    with ctx.db.read() as session:
        return [TemporaryView.of(r) for r in temporaries_between(session, [schedule], start, end)]


def list_temporaries(ctx: Context, schedule: str) -> list[TemporaryView]:
    """The schedule's temporary schedules that have not ended and are not removed, by start."""
    schedule_config(ctx, schedule)
    query = (
        select(OncallTemporary)
        .where(
            OncallTemporary.schedule == schedule,
            OncallTemporary.removed_at.is_(None),
            OncallTemporary.ends_at > ctx.clock(),
        )
        .order_by(OncallTemporary.starts_at, OncallTemporary.id)
    )
    with ctx.db.read() as session:
        return [TemporaryView.of(r) for r in session.scalars(query)]


def remove_temporary(ctx: Context, schedule: str, temporary_id: int, *, by: str) -> TemporaryView:
    """Remove a temporary schedule (kept, with who removed it and when); removing it again changes nothing."""
    schedule_config(ctx, schedule)
    with ctx.db.transaction() as session:
        row = session.get(OncallTemporary, temporary_id)
        if row is None or row.schedule != schedule:
            raise TemporaryNotFound(
                f"No temporary schedule {temporary_id} on schedule {schedule!r} "
                f"(`/oncall temporaries {schedule}` lists them)."
            )
        if row.removed_at is None:
            row.removed_at, row.removed_by = ctx.clock(), by
        return TemporaryView.of(row)
