"""On-call answers from the policy's schedules, their anchors in the store and their overrides: who is on call
at an instant and until when, and the shifts over a range with overrides marked.

Members and override users written as e-mails are answered with the Slack user id they were resolved to
(services/oncall/emails.py), or as written while unresolved. Temporary schedules (services/oncall/temporaries.py)
replace the rotation in their window; overrides then apply on top.
"""

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from firebell.domain.errors import FirebellError, UsageError
from firebell.domain.oncall import Override, Span, Temporary, on_call_at, shifts
from firebell.domain.oncall.config import ScheduleConfig
from firebell.domain.oncall.schedule import LOOK_AHEAD, LOOK_BACK
from firebell.services.context import Context
from firebell.services.oncall.anchors import current_anchors
from firebell.services.oncall.emails import as_user_ids
from firebell.store.models import OncallOverride, OncallTemporary

MAX_RANGE = timedelta(days=366)


class ScheduleNotFound(FirebellError):
    """No schedule of that name in the policy."""


@dataclass(frozen=True)
class OnCallView:
    """Who is on call for a schedule at an instant, and until when (None: not within the next 100 days)."""

    schedule: str
    at: datetime
    users: tuple[str, ...]
    until: datetime | None


@dataclass(frozen=True)
class ShiftView:
    """[start, end) with who is on call in it; `override_ids`: the overrides that put them there;
    `temporary_id`: the temporary schedule that replaces the rotation there, if any."""

    start: datetime
    end: datetime
    users: tuple[str, ...]
    override_ids: tuple[int, ...]
    temporary_id: int | None = None


def schedule_config(ctx: Context, name: str) -> ScheduleConfig:
    """The schedule of this name in the policy; ScheduleNotFound naming the ones there are."""
    found = ctx.policy.oncall.schedule(name)
    if found is None:
        names = ", ".join(s.name for s in ctx.policy.schedules) or "none are configured (schedules in the policy file)"
        shown = name if len(name) <= 60 else f"{name[:60]}…"
        raise ScheduleNotFound(f"No schedule {shown!r}. Schedules: {names}.")
    return found


def active_overrides(ctx: Context, schedule: str, start: datetime, end: datetime) -> list[OncallOverride]:
    """The overrides of a schedule (not removed) that meet [start, end), oldest first."""
    query = (
        select(OncallOverride)
        .where(
            OncallOverride.schedule == schedule,
            OncallOverride.removed_at.is_(None),
            OncallOverride.starts_at < end,
            OncallOverride.ends_at > start,
        )
        .order_by(OncallOverride.id)
    )
    with ctx.db.read() as session:
        return list(session.scalars(query))


def _overrides(rows: list[OncallOverride]) -> list[Override]:
    return [Override(r.user_id, r.starts_at, r.ends_at) for r in rows]


def span_of(stored: dict[str, Any]) -> Span:
    """A temporary schedule's shift as stored ({"start", "end", "users"})."""
    return Span(datetime.fromisoformat(stored["start"]), datetime.fromisoformat(stored["end"]), tuple(stored["users"]))


def stored_span(span: Span) -> dict[str, Any]:
    """A temporary schedule's shift as stored."""
    return {"start": span.start.isoformat(), "end": span.end.isoformat(), "users": list(span.users)}


def temporaries_between(
    session: Session, schedules: Iterable[str], start: datetime, end: datetime
) -> list[OncallTemporary]:
    """The temporary schedules (not removed) of `schedules` that meet [start, end), oldest first (one indexed
    query however many schedules)."""
    query = (
        select(OncallTemporary)
        .where(
            OncallTemporary.schedule.in_(list(schedules)),
            OncallTemporary.removed_at.is_(None),
            OncallTemporary.starts_at < end,
            OncallTemporary.ends_at > start,
        )
        .order_by(OncallTemporary.id)
    )
    return list(session.scalars(query))


def as_temporaries(rows: Iterable[OncallTemporary]) -> list[Temporary]:
    """Rows as the domain's temporaries."""
    return [Temporary(r.starts_at, r.ends_at, tuple(span_of(s) for s in r.shifts)) for r in rows]


def _temporary_rows(ctx: Context, name: str, start: datetime, end: datetime) -> list[OncallTemporary]:
    with ctx.db.read() as session:
        return temporaries_between(session, [name], start, end)


def on_call(ctx: Context, name: str, at: datetime) -> OnCallView:
    """Who is on call for schedule `name` at `at`."""
    config = schedule_config(ctx, name)
    anchors = current_anchors(ctx, config)
    lo, hi = at - LOOK_BACK, at + LOOK_AHEAD
    rows = active_overrides(ctx, name, lo, hi)
    temporaries = as_temporaries(_temporary_rows(ctx, name, lo, hi))
    now = on_call_at(config.schedule(), at, anchors=anchors, temporaries=temporaries, overrides=_overrides(rows))
    ids = as_user_ids(ctx, now.users)
    return OnCallView(schedule=name, at=at, users=_unique(ids.get(u, u) for u in now.users), until=now.until)


def _unique(users: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(users))


def shifts_between(ctx: Context, name: str, start: datetime, end: datetime) -> list[ShiftView]:
    """The shifts of schedule `name` over [start, end) (at most MAX_RANGE), cut where overrides begin and end."""
    config = schedule_config(ctx, name)
    if end <= start:
        raise UsageError(f"'to' ({end.isoformat()}) must be after 'from' ({start.isoformat()}).")
    if end - start > MAX_RANGE:
        raise UsageError(f"The range from 'from' to 'to' is {(end - start).days} days; at most {MAX_RANGE.days} days.")
    anchors = current_anchors(ctx, config)
    rows = active_overrides(ctx, name, start, end)
    temporary_rows = _temporary_rows(ctx, name, start, end)
    temporaries = as_temporaries(temporary_rows)
    spans = shifts(config.schedule(), start, end, anchors=anchors, temporaries=temporaries, overrides=_overrides(rows))
    edges_of: list[OncallOverride | OncallTemporary] = [*rows, *temporary_rows]
    cuts = sorted({t for r in edges_of for t in (r.starts_at, r.ends_at) if start < t < end})
    ids = as_user_ids(ctx, {u for span in spans for u in span.users})
    out: list[ShiftView] = []
    for span in spans:
        edges = [span.start, *(t for t in cuts if span.start < t < span.end), span.end]
        for lo, hi in itertools.pairwise(edges):
            marked = tuple(r.id for r in rows if r.starts_at <= lo and hi <= r.ends_at and r.user_id in span.users)
            users = _unique(ids.get(u, u) for u in span.users)
            temporary = next((t.id for t in temporary_rows if t.starts_at <= lo and hi <= t.ends_at), None)
            out.append(ShiftView(start=lo, end=hi, users=users, override_ids=marked, temporary_id=temporary))
    return out
