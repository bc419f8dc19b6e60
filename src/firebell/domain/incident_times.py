"""Setting an incident's moments by hand: reading the time people type, and what is refused or only warned. Pure.

Times are read in UTC: Firebell's policy has no time zone, and Slack's own pickers send absolute moments
(the postmortem and declare forms), so UTC is what the playground and the forms already use. Every answer
names the zone ("13:50 UTC").
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from firebell.domain.durations import format_duration
from firebell.domain.errors import UsageError
from firebell.domain.key_times import KeyTimes

TIME_FORMS = "`13:50` (UTC, the last one that has passed), `2026-12-07 13:50` (UTC), or `20m ago` / `1h30m ago`"
# Further back than this from the declare is almost surely a mistyped date.
MAX_LOOKBACK = timedelta(days=30)
_MAX_TEXT = 40

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_DATE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[ t](\d{1,2}):(\d{2})(?::(\d{2}))?$")
_AGO = re.compile(r"^((?:\d+\s*[a-z]+\s*)+)ago$")
_AGO_PART = re.compile(r"(\d+)\s*([a-z]+)")
_UNITS = {
    **dict.fromkeys(("d", "day", "days"), 86400),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1),
}
_ZONE_SUFFIX = re.compile(r"\s*(?:utc|z|gmt)$")


class TimeField(StrEnum):
    """The moments a person may set; the others (declared, mitigated, resolved) are what the commands did."""

    IMPACT = "impact"
    DETECTED = "detected"

    @property
    def column(self) -> str:
        """The incident's column."""
        return "impact_started_at" if self is TimeField.IMPACT else "detected_at"

    @property
    def label(self) -> str:
        """`Impact start`, `Detection`."""
        return "Impact start" if self is TimeField.IMPACT else "Detection"


_FIELD_NAMES = {
    **dict.fromkeys(("impact", "impact_started", "impact_started_at", "started", "start"), TimeField.IMPACT),
    **dict.fromkeys(("detected", "detected_at", "detection", "detect", "noticed"), TimeField.DETECTED),
}


class TimeRefused(UsageError):
    """A moment that cannot be right (in the future, after what it must precede, a mistyped date)."""


def field_named(word: str) -> TimeField:
    """`impact` or `detected` (and a few synonyms); UsageError naming the valid ones otherwise."""
    field = _FIELD_NAMES.get(word.strip().lower())
    if field is None:
        raise UsageError(
            f"`{word[:20]}` is not a time you can set. Use `/incident times impact <when>` or "
            "`/incident times detected <when>` (declared, mitigated and resolved are set by their commands)."
        )
    return field


def when(moment: datetime) -> str:
    """`2026-12-07 13:50 UTC`: how a moment is shown back to people."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def parse_moment(text: str, *, now: datetime) -> datetime:
    """Read a typed moment (see TIME_FORMS), in UTC; UsageError saying how to write one otherwise."""
    raw = " ".join(text.split())
    lowered = _ZONE_SUFFIX.sub("", raw.lower())
    if not lowered or len(raw) > _MAX_TEXT:
        raise UsageError(f"Say when: {TIME_FORMS}.")
    if lowered == "now":
        return now.replace(microsecond=0)
    try:
        if clock := _CLOCK.match(lowered):
            return _last(clock.group(1), clock.group(2), clock.group(3), now=now)
        if full := _DATE_TIME.match(lowered):
            day = datetime.fromisoformat(full.group(1))
            hour, minute, second = int(full.group(2)), int(full.group(3)), int(full.group(4) or 0)
            return day.replace(hour=hour, minute=minute, second=second, tzinfo=UTC)
        if ago := _AGO.match(lowered):
            return now.replace(microsecond=0) - _span(ago.group(1))
        if ":" not in raw:  # a bare date is not a moment: midnight is rarely what was meant
            raise ValueError(raw)
        parsed = datetime.fromisoformat(raw)  # ISO 8601 with an offset: 2026-12-07T14:50+01:00
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise UsageError(f"Couldn't read the time `{raw[:_MAX_TEXT]}`. Use {TIME_FORMS}.") from None


def _last(hour: str, minute: str, second: str | None, *, now: datetime) -> datetime:
    """The last `HH:MM` (UTC) that is not after now: today's, else yesterday's."""
    moment = now.astimezone(UTC).replace(hour=int(hour), minute=int(minute), second=int(second or 0), microsecond=0)
    return moment - timedelta(days=1) if moment > now else moment


def _span(text: str) -> timedelta:
    seconds = 0
    for count, unit in _AGO_PART.findall(text):
        if unit not in _UNITS:
            raise ValueError(unit)
        seconds += int(count) * _UNITS[unit]
    if seconds > MAX_LOOKBACK.total_seconds() * 12:
        raise ValueError(text)
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class Checked:
    """A moment that may be set, and what is odd about it (said back, but not refused)."""

    moment: datetime
    warnings: tuple[str, ...] = ()


def check_detected_at_declare(moment: datetime, *, now: datetime) -> datetime:
    """A declare's "noticed at": not in the future, not a month before; TimeRefused otherwise."""
    if moment > now:
        raise TimeRefused(f"Noticed at {when(moment)} is in the future (it is {when(now)} now).")
    if now - moment > MAX_LOOKBACK:
        raise TimeRefused(f"Noticed at {when(moment)} is more than 30 days ago. Check the date.")
    return moment


def check_moment(
    field: TimeField, moment: datetime, *, times: KeyTimes, now: datetime, first_alert_at: datetime | None = None
) -> Checked:
    """Refuse what cannot be (TimeRefused); warn about what is surprising but happens.

    Refused: a moment in the future; more than 30 days before the declare; an impact start after the
    mitigation (the impact ended then) or the resolution; a detection after the declare (declaring is
    detecting). Warned only: an impact start after the detection, or a detection before the said impact
    start (an early-warning alert can fire before customers are affected: time to detect is then negative);
    a detection later than the first linked alert.
    """
    name = field.label
    if moment > now:
        raise TimeRefused(f"{name} at {when(moment)} is in the future (it is {when(now)} now).")
    if times.declared - moment > MAX_LOOKBACK:
        raise TimeRefused(f"{name} at {when(moment)} is more than 30 days before the declare. Check the date.")
    warnings: list[str] = []
    if field is TimeField.IMPACT:
        for what, limit in (("mitigated", times.mitigated), ("resolved", times.resolved)):
            if limit is not None and moment > limit:
                raise TimeRefused(
                    f"Impact can't have started at {when(moment)}, after the incident was {what} ({when(limit)})."
                )
        if moment > times.detected:
            warnings.append(
                f"Impact started {format_duration(moment - times.detected)} after the detection ({when(times.detected)}): "
                "time to detect is negative (it was seen before customers were affected)."
            )
        return Checked(moment, tuple(warnings))
    if moment > times.declared:
        raise TimeRefused(
            f"Detection at {when(moment)} is after the declare ({when(times.declared)}); declaring is detecting, "
            "so it can be at most the declare time."
        )
    if times.start_is_impact and moment < times.start:
        warnings.append(
            f"Detected {format_duration(times.start - moment)} before the impact started ({when(times.start)}): "
            "time to detect is negative."
        )
    if first_alert_at is not None and moment > first_alert_at:
        warnings.append(
            f"The first linked alert started at {when(first_alert_at)}, before this; detection is usually that."
        )
    return Checked(moment, tuple(warnings))
