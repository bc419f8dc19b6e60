"""Whether a moment fell inside someone's working hours, in their own time zone."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from firebell.domain.oncall.restrictions import Restriction

_INSTANT = timedelta(microseconds=1)


def within_hours(at: datetime, hours: Restriction, zone: ZoneInfo) -> bool:
    """True when `at` lies in one of the windows of `hours`, read as local time in `zone`."""
    return bool(hours.spans(at, at + _INSTANT, zone))
