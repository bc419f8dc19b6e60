"""RFC 3339 timestamps as alert senders write them: any offset, nanoseconds, and year 1 for "unknown"."""

import re
from datetime import UTC, datetime

_FRACTION = re.compile(r"(\.\d{1,6})\d*")  # Go writes nanoseconds; Python keeps microseconds


def parse_timestamp(value: object) -> datetime | None:
    """An aware UTC datetime, None for unknown (absent, empty, or Go's zero time `0001-01-01T00:00:00Z`).

    Raises ValueError with the accepted form when the value is not an RFC 3339 timestamp with an offset.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        kind = "a number" if isinstance(value, int | float) else type(value).__name__
        raise ValueError(f"expected an RFC 3339 timestamp string like 2026-12-07T14:02:00Z, got {kind}")
    text = value.strip()
    if text.startswith("0001-01-01"):
        return None
    normalised = _FRACTION.sub(lambda m: m.group(1), text.replace("z", "Z"), count=1)
    if len(text) < 19 or text[10] not in "Tt ":
        raise ValueError(f"expected an RFC 3339 timestamp like 2026-12-07T14:02:00Z, got {value!r}")
    try:
        moment = datetime.fromisoformat(normalised)
    except ValueError:
        raise ValueError(f"expected an RFC 3339 timestamp like 2026-12-07T14:02:00Z, got {value!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"the timestamp {value!r} has no offset; add Z or +hh:mm")
    return moment.astimezone(UTC)
