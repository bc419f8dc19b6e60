"""Overrides: someone on call for a schedule over a window instead of the rotation. Data, not config: each is
recorded with who made it, and removing one keeps the record with who removed it.

Two overlapping overrides for the same person and schedule are refused, also when two people make them at the
same moment: the check and the insert run under the schedule's lock row.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select

from firebell.domain.errors import FirebellError, UsageError
from firebell.domain.oncall.config import Member
from firebell.services.context import Context
from firebell.services.oncall.anchors import lock_schedule
from firebell.services.oncall.answers import schedule_config
from firebell.store.models import OncallOverride

MAX_LENGTH = timedelta(days=366)
_MEMBER: TypeAdapter[str] = TypeAdapter(Member)


class OverrideNotFound(FirebellError):
    """No override of that id on that schedule."""


@dataclass(frozen=True)
class OverrideView:
    """An override as recorded."""

    id: int
    schedule: str
    user: str
    start: datetime
    end: datetime
    created_by: str
    created_at: datetime
    removed_by: str | None
    removed_at: datetime | None

    @classmethod
    def of(cls, row: OncallOverride) -> "OverrideView":
        """From its row."""
        return cls(
            id=row.id,
            schedule=row.schedule,
            user=row.user_id,
            start=row.starts_at,
            end=row.ends_at,
            created_by=row.created_by,
            created_at=row.created_at,
            removed_by=row.removed_by,
            removed_at=row.removed_at,
        )


def person(value: str, what: str) -> str:
    """A Slack user id or an e-mail (lowercased); UsageError naming `what` otherwise."""
    try:
        text = _MEMBER.validate_python(value)
    except ValidationError:
        shown = value if len(value) <= 60 else f"{value[:60]}…"
        raise UsageError(
            f"{what}: expected a Slack user id like U01ALICE or an e-mail address, got {shown!r}."
        ) from None
    return text.lower() if "@" in text else text


def _when(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def add_override(ctx: Context, schedule: str, user: str, start: datetime, end: datetime, *, by: str) -> OverrideView:
    """Put `user` on call for `schedule` over [start, end); refused (UsageError) when the window is backwards,
    in the past, longer than MAX_LENGTH, or overlaps an override of the same person on the same schedule."""
    schedule_config(ctx, schedule)
    user = person(user, "user")
    now = ctx.clock()
    if end <= start:
        raise UsageError(
            f"The override ends ({_when(end)}) before it starts ({_when(start)}): 'end' must be after 'start'."
        )
    if end <= now:
        raise UsageError(f"The override lies in the past: it ends at {_when(end)}, and it is now {_when(now)}.")
    if end - start > MAX_LENGTH:
        raise UsageError(f"The override lasts {(end - start).days} days; at most {MAX_LENGTH.days} days.")
    with ctx.db.transaction() as session:
        lock_schedule(session, schedule, now)
        clash = session.scalars(
            select(OncallOverride)
            .where(
                OncallOverride.schedule == schedule,
                OncallOverride.user_id == user,
                OncallOverride.removed_at.is_(None),
                OncallOverride.starts_at < end,
                OncallOverride.ends_at > start,
            )
            .order_by(OncallOverride.starts_at)
            .limit(1)
        ).first()
        if clash is not None:
            raise UsageError(
                f"{user} already has override {clash.id} on {schedule} from {_when(clash.starts_at)} to "
                f"{_when(clash.ends_at)}, which overlaps: remove it first, or choose a window outside it."
            )
        row = OncallOverride(
            schedule=schedule, user_id=user, starts_at=start, ends_at=end, created_by=by, created_at=now
        )
        session.add(row)
        session.flush()
        return OverrideView.of(row)


def list_overrides(ctx: Context, schedule: str, *, everything: bool = False) -> list[OverrideView]:
    """The schedule's overrides that have not ended and are not removed, by start; `everything`: all, by id."""
    schedule_config(ctx, schedule)
    query = select(OncallOverride).where(OncallOverride.schedule == schedule)
    if everything:
        query = query.order_by(OncallOverride.id)
    else:
        query = query.where(OncallOverride.removed_at.is_(None), OncallOverride.ends_at > ctx.clock())
        query = query.order_by(OncallOverride.starts_at, OncallOverride.id)
    with ctx.db.read() as session:
        return [OverrideView.of(r) for r in session.scalars(query)]


def remove_override(ctx: Context, schedule: str, override_id: int, *, by: str) -> OverrideView:
    """Remove an override (kept, with who removed it and when); removing it again changes nothing."""
    schedule_config(ctx, schedule)
    with ctx.db.transaction() as session:
        row = session.get(OncallOverride, override_id)
        if row is None or row.schedule != schedule:
            raise OverrideNotFound(f"No override {override_id} on schedule {schedule!r}.")
        if row.removed_at is None:
            row.removed_at, row.removed_by = ctx.clock(), by
        return OverrideView.of(row)
