"""A schedule's final answer: its layers (the first wins where it puts someone on call; a later layer
covers what the ones before it leave uncovered, such as the hours outside a restriction), then temporary schedules
(which replace everything in their window), then overrides (which put their person on call in their
window, in place of whoever the rotation says)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from firebell.domain.oncall.rotation import Anchor, Layer, default_anchor, layer_spans
from firebell.domain.oncall.spans import Span, merge, overlay

# How far `on_call_at` looks to find when the current shift began and when it ends.
LOOK_BACK = timedelta(days=35)
LOOK_AHEAD = timedelta(days=100)
# How far on_call_at looks around an instant, nearest first (widening while the shift reaches the edge).
_REACHES = (timedelta(days=8), timedelta(days=35), LOOK_AHEAD)


@dataclass(frozen=True)
class Schedule:
    """Layers in a time zone, first first: a later layer only covers what earlier ones leave uncovered."""

    name: str
    zone: ZoneInfo
    layers: tuple[Layer, ...]


@dataclass(frozen=True)
class Override:
    """`user` is on call in [start, end) instead of whoever the rotation says."""

    user: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Temporary:
    """For [start, end) only these shifts count (gaps in it: nobody), e.g. a holiday or a launch week."""

    start: datetime
    end: datetime
    shifts: tuple[Span, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class OnCall:
    """Who is on call at an instant, since when and until when (None: beyond what was looked at)."""

    users: tuple[str, ...]
    since: datetime | None
    until: datetime | None


def shifts(
    schedule: Schedule,
    start: datetime,
    end: datetime,
    *,
    anchors: Sequence[Anchor | None] = (),
    temporaries: Sequence[Temporary] = (),
    overrides: Sequence[Override] = (),
) -> list[Span]:
    """Who is on call over [start, end), as consecutive spans covering it all (users () where nobody is)."""
    if start >= end:
        return []
    result: list[Span] = [Span(start, end, ())]
    for index, layer in reversed(list(enumerate(schedule.layers))):  # the first layer is laid last, on top
        anchor = anchors[index] if index < len(anchors) and anchors[index] is not None else default_anchor(layer)
        assert anchor is not None
        result = overlay(result, layer_spans(layer, anchor, schedule.zone, start, end), only_where_staffed=True)
    for temporary in temporaries:
        window = Span(temporary.start, temporary.end, ()).clip(start, end)
        if window is None:
            continue
        inside = [c for s in temporary.shifts if (c := s.clip(window.start, window.end)) is not None]
        result = overlay(result, overlay([window], inside, only_where_staffed=False), only_where_staffed=False)
    covering = [c for o in overrides if (c := Span(o.start, o.end, (o.user,)).clip(start, end)) is not None]
    return merge(overlay(result, covering, only_where_staffed=True))


def on_call_at(
    schedule: Schedule,
    at: datetime,
    *,
    anchors: Sequence[Anchor | None] = (),
    temporaries: Sequence[Temporary] = (),
    overrides: Sequence[Override] = (),
) -> OnCall:
    """Who is on call at `at`, since when and until when.

    A short window around `at` first, widened only while the shift at `at` reaches its edge: most answers need
    days of rotation, not the months that bound since and until."""
    for reach in _REACHES:
        lo, hi = at - min(reach, LOOK_BACK), at + min(reach, LOOK_AHEAD)
        spans = shifts(schedule, lo, hi, anchors=anchors, temporaries=temporaries, overrides=overrides)
        now = next(s for s in spans if s.start <= at < s.end)
        widest = reach >= max(LOOK_BACK, LOOK_AHEAD)
        if widest or (now.start > lo and now.end < hi):
            return OnCall(
                users=now.users,
                since=now.start if now.start > at - LOOK_BACK else None,
                until=now.end if now.end < at + LOOK_AHEAD else None,
            )
    raise AssertionError("the widest reach always answers")
