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
from firebell.services.oncall.anchors import current_anchors, fingerprint, layer_record
from firebell.services.oncall.answers import as_temporaries, temporaries_between
from firebell.services.oncall.emails import as_user_ids
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


# The board first looks this far ahead (a week's rotation and a day more), and further only for the schedules
# whose current shift or next person it does not find in it: most schedules cost a tenth of looking 100 days ahead.
FIRST_LOOK = timedelta(days=8)


@dataclass(frozen=True)
class _Loaded:
    anchors: dict[str, list[Anchor | None]]
    overrides: dict[str, list[OncallOverride]]
    temporaries: dict[str, list[OncallTemporary]]

    def spans(self, config: ScheduleConfig, start: datetime, end: datetime) -> list[Span]:
        """The schedule's shifts over [start, end) (which lies within what was loaded)."""
        return shifts(
            config.schedule(),
            start,
            end,
            anchors=self.anchors[config.name],
            temporaries=as_temporaries(self.temporaries[config.name]),
            overrides=[Override(o.user_id, o.starts_at, o.ends_at) for o in self.overrides[config.name]],
        )


def _load(ctx: Context, start: datetime, end: datetime) -> _Loaded:
    """What every schedule's shifts over [start, end) are computed from, in one read of each table."""
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
    return _Loaded(anchors=anchors, overrides=overrides, temporaries=temporaries)


def _people(users: tuple[str, ...], ids: dict[str, str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids.get(u, u) for u in users))


def board(ctx: Context, at: datetime) -> list[BoardRow]:
    """Every schedule in the policy's order: who is on call at `at` until when, and who comes next."""
    hi = at + LOOK_AHEAD
    loaded = _load(ctx, at, hi)
    found: list[tuple[str, Span, Span | None]] = []
    for config in ctx.policy.schedules:
        spans = loaded.spans(config, at, at + FIRST_LOOK)
        if len(spans) < 2:  # the current shift outlasts the first look: look as far as on_call does
            spans = loaded.spans(config, at, hi)
        found.append((config.name, spans[0], spans[1] if len(spans) > 1 else None))
    ids = as_user_ids(ctx, {u for _, now, after in found for span in (now, after) if span for u in span.users})
    return [
        BoardRow(
            schedule=name,
            users=_people(now.users, ids),
            until=now.end if now.end < hi else None,
            next_users=_people(after.users, ids) if after is not None else None,
            next_from=after.start if after is not None else None,
        )
        for name, now, after in found
    ]


def shifts_of(ctx: Context, user: str, start: datetime, length: timedelta) -> list[MyShift]:
    """`user`'s shifts (Slack user id) across every schedule over [start, start + length), by start."""
    end = start + length
    loaded = _load(ctx, start, end)
    every = {config.name: loaded.spans(config, start, end) for config in ctx.policy.schedules}
    ids = as_user_ids(ctx, {u for spans in every.values() for span in spans for u in span.users})
    mine = []
    for name, spans in every.items():
        for span in spans:
            if user not in _people(span.users, ids):
                continue
            by_override = any(
                o.starts_at <= span.start and span.end <= o.ends_at and ids.get(o.user_id, o.user_id) == user
                for o in loaded.overrides[name]
            )
            mine.append(MyShift(schedule=name, start=span.start, end=span.end, override=by_override))
    return sorted(mine, key=lambda s: (s.start, s.schedule))
