"""An on-call schedule as an iCalendar feed (RFC 5545): one event per person per stretch of time on call.

Written by hand rather than with a library: a feed is a handful of properties, and what RFC 5545 asks of them
(CRLF lines folded at 75 octets, TEXT values escaped, UTC times) fits in this module.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

PRODID = "-//Firebell//On-call schedules//EN"
_FOLD_AT = 75  # octets per line, CRLF not counted


@dataclass(frozen=True)
class PersonShift:
    """`user` on call for `schedule` over [start, end)."""

    schedule: str
    user: str
    start: datetime
    end: datetime


def person_shifts(
    schedule: str, spans: Iterable[tuple[datetime, datetime, Sequence[str]]], *, user: str | None = None
) -> list[PersonShift]:
    """Each person's time on call (touching spans joined), from spans of (start, end, people on call);
    with `user`, only theirs. Sorted by start, then person."""
    by_user: dict[str, list[list[datetime]]] = defaultdict(list)
    for start, end, users in sorted(spans, key=lambda s: s[0]):
        for person in dict.fromkeys(users):
            if user is not None and person != user:
                continue
            mine = by_user[person]
            if mine and mine[-1][1] == start:
                mine[-1][1] = end
            else:
                mine.append([start, end])
    found = [PersonShift(schedule, person, lo, hi) for person, parts in by_user.items() for lo, hi in parts]
    return sorted(found, key=lambda s: (s.start, s.user))


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def escape_text(value: str) -> str:
    """A TEXT value as RFC 5545 writes it: backslash, semicolon, comma and newlines escaped."""
    out = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return out.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """A content line folded into lines of at most 75 octets (continuations begin with a space), never
    splitting a UTF-8 character."""
    pieces: list[str] = []
    current: list[str] = []
    size, limit = 0, _FOLD_AT
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, _FOLD_AT - 1  # a continuation's leading space counts
        current.append(char)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


def event_uid(shift: PersonShift) -> str:
    """Stable for a given person, schedule and start: a calendar app updates the event rather than adding one."""
    digest = hashlib.sha256(f"{shift.schedule}\n{shift.user}\n{_utc(shift.start)}".encode()).hexdigest()[:32]
    return f"{digest}@oncall.firebell"


def render_calendar(
    schedule: str, shifts: Sequence[PersonShift], *, stamp: datetime, names: dict[str, str] | None = None
) -> str:
    """The VCALENDAR for a schedule's feed; `stamp` is when its contents were last revised (DTSTAMP), `names`
    the display names of people where known (the event says whose shift it is)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(f'On call: {schedule}')}",
        "X-WR-TIMEZONE:UTC",
    ]
    for shift in shifts:
        who = (names or {}).get(shift.user) or shift.user
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event_uid(shift)}",
            f"DTSTAMP:{_utc(stamp)}",
            f"DTSTART:{_utc(shift.start)}",
            f"DTEND:{_utc(shift.end)}",
            f"SUMMARY:{escape_text(f'On call: {schedule}')}",
            f"DESCRIPTION:{escape_text(f'{who} is on call for {schedule}.')}",
            f"X-FIREBELL-USER:{escape_text(shift.user)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(f"{fold(line)}\r\n" for line in lines)
