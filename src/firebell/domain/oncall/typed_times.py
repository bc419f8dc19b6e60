"""Times typed into `/oncall`: moments in a schedule's time zone, and lengths. Pure: `now` is passed in.

A window is a start and an end. The start is `now`, `HH:MM` (the next time it is that time: today's if it
is still to come, else tomorrow's), `YYYY-MM-DD` (midnight), `YYYY-MM-DD HH:MM`, or RFC 3339 with an offset
(`2026-12-08T09:00:00+01:00`, `…Z`). The end is written the same way (`HH:MM`: the first such time after
the start), or as a length from the start (`4h`, `2d`, `1h30m`). Times without an offset are in the zone
given (the schedule's; UTC for services).
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from firebell.domain.durations import parse_duration
from firebell.domain.errors import UsageError

WHEN_FORMS = (
    "`now`, `HH:MM` (the next time it is that time), `YYYY-MM-DD`, `YYYY-MM-DD HH:MM`, "
    "or RFC 3339 like `2026-12-08T09:00:00+01:00`"
)
LENGTH_FORMS = "a length like `4h`, `2d` or `1h30m`"
_MAX_TEXT = 40

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DAY_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[ t](\d{1,2}):(\d{2})(?::(\d{2}))?$", re.IGNORECASE)
_LENGTH = re.compile(r"^(?:\d+\s*[dhms])+$")
_FILLER = frozenset({"from", "to", "until", "till", "-", "–", "—", "for"})


@dataclass(frozen=True)
class Window:
    """[start, end), both aware UTC."""

    start: datetime
    end: datetime


def is_clock(token: str) -> bool:
    """`HH:MM`."""
    return bool(_CLOCK.match(token))


def is_day(token: str) -> bool:
    """`YYYY-MM-DD`."""
    return bool(_DAY.match(token))


def is_length(token: str) -> bool:
    """`4h`, `2d`, `1h30m`."""
    return bool(_LENGTH.match(token.lower()))


def parse_length(text: str, *, what: str = "length") -> timedelta:
    """A length of time (`4h`, `2d`, `1h30m`, at most 365 days); UsageError saying how to write one."""
    try:
        length = parse_duration(text) if is_length(text) else None
    except ValueError:
        length = None
    if length is None:
        raise UsageError(f"Couldn't read the {what} `{text[:_MAX_TEXT]}`: expected {LENGTH_FORMS} (at most 365d).")
    return length


def _local(day: date, hour: int, minute: int, second: int, zone: ZoneInfo) -> datetime:
    if not (0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= second <= 59):
        raise ValueError(f"{hour}:{minute}")
    return datetime.combine(day, time(hour, minute, second), tzinfo=zone).astimezone(UTC)


def parse_when(text: str, zone: ZoneInfo, *, now: datetime, after: datetime | None = None) -> datetime:
    """A typed moment (see WHEN_FORMS) as aware UTC. `HH:MM` is the first such local time after `after`,
    or, without `after`, the next one from now (today's if still to come, else tomorrow's)."""
    raw = " ".join(text.split())
    lowered = raw.lower()
    if not lowered or len(raw) > _MAX_TEXT:
        raise UsageError(f"Say when: {WHEN_FORMS}.")
    try:
        if lowered == "now":
            return now.replace(microsecond=0)
        if clock := _CLOCK.match(lowered):
            return _next_clock(int(clock.group(1)), int(clock.group(2)), zone, after or now, strict=after is not None)
        if _DAY.match(lowered):
            return _local(date.fromisoformat(lowered), 0, 0, 0, zone)
        if full := _DAY_TIME.match(lowered):
            day = date.fromisoformat(full.group(1))
            return _local(day, int(full.group(2)), int(full.group(3)), int(full.group(4) or 0), zone)
        parsed = datetime.fromisoformat(raw.replace("z", "Z"))
        return parsed.replace(tzinfo=zone).astimezone(UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise UsageError(f"Couldn't read the time `{raw[:_MAX_TEXT]}`. Use {WHEN_FORMS}.") from None


def _next_clock(hour: int, minute: int, zone: ZoneInfo, reference: datetime, *, strict: bool) -> datetime:
    """The first local `hour:minute` at or after `reference` (strictly after with `strict`)."""
    day = reference.astimezone(zone).date()
    for offset in range(3):  # a day is enough; three cover a local time skipped by a daylight-saving change
        moment = _local(day + timedelta(days=offset), hour, minute, 0, zone)
        if moment > reference or (moment == reference and not strict):
            return moment
    raise ValueError(f"{hour}:{minute}")


def take_moment(tokens: list[str]) -> tuple[str, list[str]]:
    """The tokens of one moment at the front of `tokens` (a date followed by a clock time is one moment;
    filler words like `from` and `to` are skipped), and what is left."""
    rest = list(tokens)
    while rest and rest[0].lower() in _FILLER:
        rest.pop(0)
    if not rest:
        return "", []
    if len(rest) > 1 and is_day(rest[0]) and is_clock(rest[1]):
        return f"{rest[0]} {rest[1]}", rest[2:]
    return rest[0], rest[1:]


def parse_window(start: str, end: str, zone: ZoneInfo, *, now: datetime) -> Window:
    """A start and an end (a moment, or a length from the start) as a window; UsageError when the end is not
    after the start."""
    begins = parse_when(start, zone, now=now)
    ends = begins + parse_length(end, what="end") if is_length(end) else parse_when(end, zone, now=now, after=begins)
    if ends <= begins:
        raise UsageError(f"The end ({show(ends, zone)}) is not after the start ({show(begins, zone)}).")
    return Window(begins, ends)


def show(moment: datetime, zone: ZoneInfo) -> str:
    """`2026-12-08 09:00 Europe/Berlin`: a moment as typed back to people, in the zone it was read in."""
    return f"{moment.astimezone(zone).strftime('%Y-%m-%d %H:%M')} {zone.key}"
