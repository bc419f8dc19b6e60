"""Times typed into `/oncall`, read in a schedule's time zone."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from firebell.domain.errors import UsageError
from firebell.domain.oncall.typed_times import parse_length, parse_when, parse_window, take_moment

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 1, 5, 10, 0, 30, tzinfo=UTC)  # 11:00 in Berlin


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", datetime(2026, 1, 5, 10, 0, 30, tzinfo=UTC)),
        ("12:00", datetime(2026, 1, 5, 11, tzinfo=UTC)),  # still to come today (Berlin)
        ("09:30", datetime(2026, 1, 6, 8, 30, tzinfo=UTC)),  # passed today: tomorrow's
        ("2026-01-07", datetime(2026, 1, 6, 23, tzinfo=UTC)),  # midnight in Berlin
        ("2026-01-07 09:00", datetime(2026, 1, 7, 8, tzinfo=UTC)),
        ("2026-07-07 09:00", datetime(2026, 7, 7, 7, tzinfo=UTC)),  # summer time
        ("2026-01-07T09:00:00+01:00", datetime(2026, 1, 7, 8, tzinfo=UTC)),
        ("2026-01-07T09:00:00Z", datetime(2026, 1, 7, 9, tzinfo=UTC)),
        ("2026-01-07T09:00", datetime(2026, 1, 7, 8, tzinfo=UTC)),  # no offset: the zone's
    ],
)
def test_moments_are_read_in_the_zone(text: str, expected: datetime) -> None:
    assert parse_when(text, BERLIN, now=NOW) == expected


def test_a_clock_end_is_the_first_such_time_after_the_start() -> None:
    start = datetime(2026, 1, 5, 21, tzinfo=UTC)  # 22:00 Berlin
    assert parse_when("06:00", BERLIN, now=NOW, after=start) == datetime(2026, 1, 6, 5, tzinfo=UTC)
    assert parse_when("22:00", BERLIN, now=NOW, after=start) == datetime(2026, 1, 6, 21, tzinfo=UTC)


def test_a_clock_time_skipped_by_the_spring_change_is_the_next_day_that_has_it() -> None:
    before = datetime(2026, 3, 8, 6, tzinfo=UTC)  # 01:00 in New York; 02:30 does not exist today
    moment = parse_when("02:30", NEW_YORK, now=before)
    assert moment.astimezone(NEW_YORK).hour in (2, 3)
    assert moment > before


def test_windows_take_an_end_or_a_length() -> None:
    window = parse_window("now", "4h", BERLIN, now=NOW)
    assert window.end - window.start == timedelta(hours=4)
    with pytest.raises(UsageError, match="is not after the start"):
        parse_window("2026-01-07 10:00", "2026-01-07 09:00", BERLIN, now=NOW)


@pytest.mark.parametrize("text", ["tomorrow", "25:00", "2026-13-01", "2026-01-07 24:30", "x" * 80, ""])
def test_unreadable_moments_say_how_to_write_one(text: str) -> None:
    with pytest.raises(UsageError, match="RFC 3339"):
        parse_when(text, BERLIN, now=NOW)


def test_lengths() -> None:
    assert parse_length("2d") == timedelta(days=2)
    assert parse_length("1h30m") == timedelta(minutes=90)
    for bad in ("ever", "4", "400d", "0h"):
        with pytest.raises(UsageError, match="expected a length like"):
            parse_length(bad)


def test_take_moment_joins_a_date_and_a_time_and_skips_filler() -> None:
    assert take_moment(["from", "2026-01-07", "09:00", "to", "12:00"]) == ("2026-01-07 09:00", ["to", "12:00"])
    assert take_moment(["to", "12:00"]) == ("12:00", [])
    assert take_moment(["to"]) == ("", [])
