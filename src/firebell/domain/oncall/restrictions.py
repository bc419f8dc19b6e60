"""Restrictions on a rotation layer: the local hours it covers (`mon-fri 08:00-20:00`, `22:00-06:00`,
`sat,sun 10:00-14:00; mon 08:00-12:00`). Outside them the layer puts nobody on call, so a lower layer
shows through."""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from firebell.domain.oncall.local_time import days_between, instant, local_day

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOW = re.compile(r"^(?:(?P<days>[a-z,\- ]+?)\s+)?(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})$")
EXPECTED = "expected windows like 'mon-fri 08:00-20:00', '22:00-06:00' or 'sat,sun 10:00-14:00; mon 08:00-12:00'"


@dataclass(frozen=True)
class Window:
    """Local hours on some weekdays; an end at or before the start runs into the next day."""

    days: frozenset[int]  # 0 = Monday
    start: time
    end: time


@dataclass(frozen=True)
class Restriction:
    """The union of its windows."""

    windows: tuple[Window, ...]

    def spans(self, start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
        """The covered instants within [start, end), as sorted, disjoint [from, to) pairs in UTC."""
        found: list[tuple[datetime, datetime]] = []
        first = local_day(start, zone) - timedelta(days=1)  # a window from yesterday may run into today
        for day in days_between(first, local_day(end, zone)):
            for window in self.windows:
                if day.weekday() not in window.days:
                    continue
                lo = instant(day, window.start, zone)
                next_day = day + timedelta(days=1) if window.end <= window.start else day
                hi = instant(next_day, window.end, zone)
                lo, hi = max(lo, start), min(hi, end)
                if lo < hi:
                    found.append((lo, hi))
        return _union(found)


def _union(pairs: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for lo, hi in sorted(pairs):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _clock(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours == 24 and minutes == 0:
        return time(0, 0)
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise ValueError(f"{text!r} is not a time of day (00:00 to 23:59)")
    return time(hours, minutes)


def _days(text: str | None) -> frozenset[int]:
    if not text:
        return frozenset(range(7))
    days: set[int] = set()
    for part in (p.strip() for p in text.split(",")):
        if "-" in part:
            first, _, last = (p.strip() for p in part.partition("-"))
            if first not in DAYS or last not in DAYS:
                raise ValueError(f"{part!r} is not a range of days like mon-fri")
            a, b = DAYS.index(first), DAYS.index(last)
            days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        elif part in DAYS:
            days.add(DAYS.index(part))
        else:
            raise ValueError(f"{part!r} is not a day; use {', '.join(DAYS)}")
    return frozenset(days)


def parse_restriction(text: str) -> Restriction:
    """Parse an `only:` value; ValueError naming what is wrong."""
    if not text or not text.strip():
        raise ValueError(f"{EXPECTED}, got an empty value")
    if len(text) > 400:
        raise ValueError(f"{EXPECTED}, got {len(text)} characters")
    windows = []
    for part in (p.strip().lower() for p in text.split(";")):
        match = _WINDOW.match(part)
        if match is None:
            raise ValueError(f"{EXPECTED}, got {part!r}")
        start, end = _clock(match["start"]), _clock(match["end"])
        if start == end:
            raise ValueError(f"{part!r} starts and ends at the same time; for a whole day leave `only` out")
        windows.append(Window(_days(match["days"]), start, end))
    return Restriction(tuple(windows))
