"""Rotation layers: members taking turns on a grid of handoffs in the schedule's local time.

The grid: the first handoff is the layer's `start` date at its `handoff` time (a weekly handoff on a
weekday: the first such day on or after `start`); then every `rotate_every`. Days, weeks and months
count in local calendar time, so a daily 09:00 handoff stays at 09:00 across daylight-saving changes;
hours count in elapsed time (a 12h rotation is always 12 real hours, as in GoAlert). Before the first
handoff the layer puts nobody on call.

Who holds each cell of the grid comes from an `Anchor`: the cell on call when the members last changed
keeps its person until it ends, and the turns go on from whoever was next, so removing or adding a member
never skips anyone or gives anyone two turns in a row.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from firebell.domain.oncall.local_time import instant, local_day
from firebell.domain.oncall.restrictions import DAYS, Restriction
from firebell.domain.oncall.spans import Span

_PERIOD = re.compile(r"^\s*(\d{1,3})\s*(h|d|w|mo)\s*$")
_HANDOFF = re.compile(r"^\s*(?:([a-z]{3})\s+)?(\d{1,2}):(\d{2})\s*$")
PERIOD_EXPECTED = "expected a rotation length like 12h, 1d, 1w or 1mo"
HANDOFF_EXPECTED = "expected a handoff like 'mon 09:00' (weekly) or '09:00'"


@dataclass(frozen=True)
class Period:
    """How long each turn lasts: `count` hours, days, weeks or months."""

    count: int
    unit: str  # h | d | w | mo

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"


@dataclass(frozen=True)
class Handoff:
    """When turns change: a local time of day, and for weekly rotations optionally a weekday."""

    at: time
    weekday: int | None = None  # 0 = Monday


@dataclass(frozen=True)
class Layer:
    """Members taking turns; `only` restricts the hours the layer covers."""

    members: tuple[str, ...]
    period: Period
    handoff: Handoff
    start: date
    only: Restriction | None = None


@dataclass(frozen=True)
class Anchor:
    """Cell `cell` of the grid is `user`'s; cell `cell + j` (j != 0) is members[(next_index + j - 1) % n]."""

    cell: int
    user: str
    next_index: int


def parse_period(text: str) -> Period:
    """Parse `rotate_every`; ValueError naming what is wrong."""
    match = _PERIOD.match(str(text).lower())
    if match is None or int(match[1]) == 0:
        raise ValueError(f"{PERIOD_EXPECTED}, got {text!r}")
    return Period(int(match[1]), match[2])


def parse_handoff(text: str, period: Period) -> Handoff:
    """Parse `handoff`; a weekday only makes sense for rotations counted in weeks."""
    match = _HANDOFF.match(str(text).lower())
    if match is None:
        raise ValueError(f"{HANDOFF_EXPECTED}, got {text!r}")
    day, hours, minutes = match[1], int(match[2]), int(match[3])
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise ValueError(f"{HANDOFF_EXPECTED}; {hours:02d}:{minutes:02d} is not a time of day")
    if day is not None and day not in DAYS:
        raise ValueError(f"{HANDOFF_EXPECTED}; {day!r} is not a day ({', '.join(DAYS)})")
    if day is not None and period.unit != "w":
        raise ValueError(f"a handoff weekday ({day}) needs a rotation counted in weeks, not {period}")
    return Handoff(time(hours, minutes), DAYS.index(day) if day else None)


def default_anchor(layer: Layer) -> Anchor:
    """The first member holds the first turn."""
    return Anchor(cell=0, user=layer.members[0], next_index=1 % len(layer.members))


def _first_day(layer: Layer) -> date:
    if layer.handoff.weekday is None:
        return layer.start
    return layer.start + timedelta(days=(layer.handoff.weekday - layer.start.weekday()) % 7)


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def boundary(layer: Layer, zone: ZoneInfo, cell: int) -> datetime:
    """When cell `cell` of the grid begins (cell 0: the first handoff)."""
    first = _first_day(layer)
    count, unit = layer.period.count, layer.period.unit
    if unit == "h":
        return instant(first, layer.handoff.at, zone) + timedelta(hours=count * cell)
    if unit == "mo":
        return instant(_add_months(first, count * cell), layer.handoff.at, zone)
    days = count * cell * (7 if unit == "w" else 1)
    return instant(first + timedelta(days=days), layer.handoff.at, zone)


def cell_at(layer: Layer, zone: ZoneInfo, moment: datetime) -> int:
    """The grid cell holding `moment` (negative before the first handoff)."""
    origin = boundary(layer, zone, 0)
    count, unit = layer.period.count, layer.period.unit
    if unit == "h":
        guess = int((moment - origin) // timedelta(hours=count))
    elif unit == "mo":
        here, there = local_day(origin, zone), local_day(moment, zone)
        guess = ((there.year - here.year) * 12 + there.month - here.month) // count
    else:
        guess = (local_day(moment, zone) - local_day(origin, zone)).days // (count * (7 if unit == "w" else 1))
    while boundary(layer, zone, guess + 1) <= moment:
        guess += 1
    while boundary(layer, zone, guess) > moment:
        guess -= 1
    return guess


def holder(layer: Layer, anchor: Anchor, cell: int) -> str:
    """Whose turn cell `cell` is."""
    if cell == anchor.cell:
        return anchor.user
    return layer.members[(anchor.next_index + cell - anchor.cell - 1) % len(layer.members)]


def layer_spans(layer: Layer, anchor: Anchor, zone: ZoneInfo, start: datetime, end: datetime) -> list[Span]:
    """Who the layer puts on call within [start, end): only where it covers (after its first handoff,
    inside its restriction)."""
    begin = max(start, boundary(layer, zone, 0))
    if begin >= end:
        return []
    spans = []
    cell = cell_at(layer, zone, begin)
    while (lo := boundary(layer, zone, cell)) < end:
        span = Span(lo, boundary(layer, zone, cell + 1), (holder(layer, anchor, cell),)).clip(begin, end)
        if span is not None:
            spans.append(span)
        cell += 1
    if layer.only is None:
        return spans
    covered = layer.only.spans(begin, end, zone)
    return [piece for s in spans for lo, hi in covered if (piece := s.clip(lo, hi)) is not None]


def reanchor(old: Layer, anchor: Anchor, new: Layer, zone: ZoneInfo, at: datetime) -> Anchor:
    """The anchor for `new` when it replaces `old` at `at`: whoever is on call now keeps the turn (the
    cell of the new grid holding `at`), and the next turn goes to whoever was next and is still a member."""
    if at < boundary(old, zone, 0) or at < boundary(new, zone, 0):
        return default_anchor(new)
    cell = cell_at(old, zone, at)
    current = holder(old, anchor, cell)
    following = [holder(old, anchor, cell + j) for j in range(1, len(old.members) + 2)]
    next_user = next((u for u in following if u in new.members and u != current), None)
    if next_user is None:  # nobody else carried over: the new list in its order, after the current person
        next_index = (new.members.index(current) + 1) % len(new.members) if current in new.members else 0
    else:
        next_index = new.members.index(next_user)
    return Anchor(cell=cell_at(new, zone, at), user=current, next_index=next_index)
