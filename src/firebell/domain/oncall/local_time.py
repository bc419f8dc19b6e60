"""Wall-clock times in a schedule's time zone, turned into instants.

A local time that does not exist (the hour skipped in spring) becomes the instant it would have been
before the change (02:30 on the spring day in Berlin is 03:30 CEST); a local time that happens twice
(the hour repeated in autumn) is its first occurrence. Handoffs therefore keep their local hour across
daylight-saving changes.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of local `at` on `day` in `zone`."""
    return datetime.combine(day, at).replace(tzinfo=zone, fold=0).astimezone(UTC)


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    """The local date of an instant."""
    return moment.astimezone(zone).date()


def days_between(first: date, last: date) -> list[date]:
    """Every date from first to last, both included."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
