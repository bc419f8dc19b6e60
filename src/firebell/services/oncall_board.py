"""Every schedule at once: who is on call now and next (`/oncall`), and one person's shifts across schedules
(`/oncall me`). However many schedules there are, the store is read in a handful of indexed queries (anchors,
overrides, temporary schedules and e-mails for all schedules together), never once per schedule or per day.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from firebell.domain.oncall import Anchor, Override, Span, shifts
from firebell.domain.oncall.config import ScheduleConfig
from firebell.domain.oncall.schedule import LOOK_AHEAD
from firebell.services.context import Context
from firebell.services.oncall import as_temporaries, temporaries_between
from firebell.services.oncall_anchors import current_anchors, fingerprint, layer_record
from firebell.services.oncall_emails import as_user_ids
from firebell.store.models import OncallAnchor, OncallOverride, OncallTemporary


@dataclass(frozen=True)
class BoardRow:
    """A schedule now: who is on call until when, and who is next from when (None: beyond what was looked at)."""

    schedule: str
    users: tuple[str, ...]
    until: datetime | None
    next_users: tuple[str, ...] | None
    next_from: datetime | None


@dataclass(frozen=True)
class MyShift:
    """One of a person's shifts: [start, end) on `schedule`; `override`: it is theirs by an override."""

    schedule: str
    start: datetime
    end: datetime
    override: bool


def _anchors(ctx: Context, schedules: list[ScheduleConfig]) -> dict[str, list[Anchor | None]]:
    """Every schedule's anchors in one read; a schedule whose layers changed is synced (rare: after a deploy)."""
    names = [s.name for s in schedules]
    with ctx.db.read() as session:
        rows = list(session.scalars(select(OncallAnchor).where(OncallAnchor.schedule.in_(names))))
    by_schedule: dict[str, dict[int, OncallAnchor]] = defaultdict(dict)
    for row in rows:
        by_schedule[row.schedule][row.layer] = row
    out: dict[str, list[Anchor | None]] = {}
    for config in schedules:
        stored = by_schedule.get(config.name, {})
        current = len(stored) == len(config.layers) and all(
            i in stored and stored[i].fingerprint == fingerprint(layer_record(config, i))
            for i in range(len(config.layers))
        )
        if current:
            out[config.name] = [
                Anchor(cell=r.cell, user=r.user_id, next_index=r.next_index) for _, r in sorted(stored.items())
            ]
        else:
            out[config.name] = list(current_anchors(ctx, config))
    return out


@dataclass(frozen=True)
class _Loaded:
    spans: dict[str, list[Span]]
    overrides: dict[str, list[OncallOverride]]
    ids: dict[str, str]


def _all_spans(ctx: Context, start: datetime, end: datetime) -> _Loaded:
    """Every schedule's shifts over [start, end), from one read of each table."""
    schedules = list(ctx.policy.schedules)
    names = [s.name for s in schedules]
    anchors = _anchors(ctx, schedules)
    with ctx.db.read() as session:
        override_rows = list(
            session.scalars(
                select(OncallOverride)
                .where(
                    OncallOverride.schedule.in_(names),
                    OncallOverride.removed_at.is_(None),
                    OncallOverride.starts_at < end,
                    OncallOverride.ends_at > start,
                )
                .order_by(OncallOverride.id)
            )
        )
        temporary_rows = temporaries_between(session, names, start, end)
    overrides: dict[str, list[OncallOverride]] = defaultdict(list)
    for o in override_rows:
        overrides[o.schedule].append(o)
    temporaries: dict[str, list[OncallTemporary]] = defaultdict(list)
    for t in temporary_rows:
        temporaries[t.schedule].append(t)
    spans = {
        config.name: shifts(
            config.schedule(),
            start,
            end,
            anchors=anchors[config.name],
            temporaries=as_temporaries(temporaries[config.name]),
            overrides=[Override(o.user_id, o.starts_at, o.ends_at) for o in overrides[config.name]],
        )
        for config in schedules
    }
    ids = as_user_ids(ctx, {u for found in spans.values() for span in found for u in span.users})
    return _Loaded(spans=spans, overrides=overrides, ids=ids)


def _people(users: tuple[str, ...], ids: dict[str, str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids.get(u, u) for u in users))


def board(ctx: Context, at: datetime) -> list[BoardRow]:
    """Every schedule in the policy's order: who is on call at `at` until when, and who comes next."""
    hi = at + LOOK_AHEAD
    loaded = _all_spans(ctx, at, hi)
    out = []
    for name, spans in loaded.spans.items():
        now = spans[0]
        after = spans[1] if len(spans) > 1 else None
        out.append(
            BoardRow(
                schedule=name,
                users=_people(now.users, loaded.ids),
                until=now.end if now.end < hi else None,
                next_users=_people(after.users, loaded.ids) if after is not None else None,
                next_from=after.start if after is not None else None,
            )
        )
    return out


def shifts_of(ctx: Context, user: str, start: datetime, length: timedelta) -> list[MyShift]:
    """`user`'s shifts (Slack user id) across every schedule over [start, start + length), by start."""
    end = start + length
    loaded = _all_spans(ctx, start, end)
    mine = []
    for name, spans in loaded.spans.items():
        for span in spans:
            if user not in _people(span.users, loaded.ids):
                continue
            by_override = any(
                o.starts_at <= span.start and span.end <= o.ends_at and loaded.ids.get(o.user_id, o.user_id) == user
                for o in loaded.overrides[name]
            )
            mine.append(MyShift(schedule=name, start=span.start, end=span.end, override=by_override))
    return sorted(mine, key=lambda s: (s.start, s.schedule))
