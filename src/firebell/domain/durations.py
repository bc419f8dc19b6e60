"""Human durations as written in the policy file (`30s`, `15m`, `1h30m`) and as shown to people."""

import math
import re
from datetime import timedelta

_PART = re.compile(r"(\d+)\s*([dhms])")
_WHOLE = re.compile(r"^\s*(?:\d+\s*[dhms]\s*)+$")
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_BARE = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")
# Far beyond any sensible cadence or review date, and far inside what `now + interval` can hold.
MAX_DURATION = timedelta(days=365)
_EXPECTED = "expected a duration like 30s, 15m, 1h or 1h30m"


def _bare_number_hint(number: float) -> str:
    """What to write instead of a bare number: the same number with a unit, when that is a valid duration."""
    if math.isfinite(number) and number == int(number) and 0 < number * 60 <= MAX_DURATION.total_seconds():
        whole = int(number)
        return f"a bare number is ambiguous; write a unit, e.g. {whole}m or {whole}s"
    return "a bare number is ambiguous; write whole numbers with units, e.g. 30s, 15m, 1h or 1h30m (at most 365d)"


def parse_duration(value: str | int | float) -> timedelta | None:
    """Parse `30s`, `15m`, `1h`, `1h30m` (or 0 / "0" / "none" for no cadence); raise ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"{_EXPECTED}, got {value!r}")
    if isinstance(value, int | float):
        if value == 0:
            return None
        raise ValueError(_bare_number_hint(value))
    text = str(value).strip().lower()
    if text in {"0", "none", "off", ""}:
        return None
    if len(text) > 40:
        raise ValueError(f"{_EXPECTED}, got a value of {len(text)} characters")
    if _BARE.match(text):
        raise ValueError(f"{_bare_number_hint(float(text))}, got {value!r}")
    if not _WHOLE.match(text):
        raise ValueError(f"{_EXPECTED}, got {value!r}")
    seconds = sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _PART.findall(text))
    if seconds == 0:
        return None
    if seconds > MAX_DURATION.total_seconds():
        raise ValueError(f"expected at most 365d, got {value!r}")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """Render a duration for people: `45s`, `12m`, `1h 12m`, `2d 3h`."""
    total = int(delta.total_seconds())
    total = max(total, 0)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m"
    return f"{seconds}s"


def format_policy_duration(delta: timedelta | None) -> str:
    """Render a duration in the policy file's own syntax (`1h30m`, `none`)."""
    if delta is None:
        return "none"
    total = int(delta.total_seconds())
    out = ""
    for unit, size in (("h", 3600), ("m", 60), ("s", 1)):
        count, total = divmod(total, size)
        if count:
            out += f"{count}{unit}"
    return out or "0s"
