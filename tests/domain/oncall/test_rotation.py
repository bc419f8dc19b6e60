"""Rotation arithmetic: handoffs at the boundary, local hours across daylight-saving changes, members
changing without anyone skipped or doubled."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from firebell.domain.oncall import Anchor, Handoff, Layer, Schedule, on_call_at, parse_handoff, parse_period, shifts
from firebell.domain.oncall.rotation import boundary, cell_at, default_anchor, holder, reanchor

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def layer(members: str, every: str = "1w", handoff: str = "mon 09:00", start: date = date(2026, 1, 5)) -> Layer:
    period = parse_period(every)
    return Layer(tuple(members.split()), period, parse_handoff(handoff, period), start)


def local(zone: ZoneInfo, *args: int) -> datetime:
    year, month, day, hour, minute = args
    return datetime(year, month, day, hour, minute, tzinfo=zone)


def who(lay: Layer, zone: ZoneInfo, at: datetime, anchor: Anchor | None = None) -> tuple[str, ...]:
    return on_call_at(Schedule("s", zone, (lay,)), at, anchors=(anchor,)).users


def test_weekly_handoff_happens_exactly_at_the_boundary() -> None:
    weekly = layer("A B C")
    handoff = local(BERLIN, 2026, 1, 12, 9, 0)
    assert who(weekly, BERLIN, handoff - timedelta(microseconds=1)) == ("A",)
    assert who(weekly, BERLIN, handoff) == ("B",)
    assert who(weekly, BERLIN, local(BERLIN, 2026, 1, 26, 9, 0)) == ("A",)  # round the list again


@pytest.mark.parametrize(
    ("every", "handoff", "start_at", "next_at"),
    [
        ("1h", "00:00", (2026, 1, 5, 0, 0), (2026, 1, 5, 1, 0)),
        ("1d", "09:00", (2026, 1, 5, 9, 0), (2026, 1, 6, 9, 0)),
        ("2w", "mon 09:00", (2026, 1, 5, 9, 0), (2026, 1, 19, 9, 0)),
        ("1mo", "09:00", (2026, 1, 5, 9, 0), (2026, 2, 5, 9, 0)),
    ],
)
def test_hourly_daily_weekly_monthly_grids(
    every: str, handoff: str, start_at: tuple[int, ...], next_at: tuple[int, ...]
) -> None:
    lay = layer("A B", every, handoff)
    first, second = local(BERLIN, *start_at), local(BERLIN, *next_at)
    assert who(lay, BERLIN, first) == ("A",) and who(lay, BERLIN, second - timedelta(seconds=1)) == ("A",)
    assert who(lay, BERLIN, second) == ("B",)
    assert on_call_at(Schedule("s", BERLIN, (lay,)), first).until == second.astimezone(UTC)


def test_before_the_first_handoff_nobody_is_on_call() -> None:
    assert who(layer("A B"), BERLIN, local(BERLIN, 2026, 1, 5, 8, 59)) == ()


def test_a_weekly_handoff_day_after_the_start_date_begins_on_that_day() -> None:
    lay = layer("A B", "1w", "wed 10:00", start=date(2026, 1, 5))  # a Monday
    assert boundary(lay, BERLIN, 0) == local(BERLIN, 2026, 1, 7, 10, 0)


@pytest.mark.parametrize(
    ("zone", "spring", "autumn"),
    [(BERLIN, date(2026, 3, 29), date(2026, 10, 25)), (NEW_YORK, date(2026, 3, 8), date(2026, 11, 1))],
)
def test_a_daily_handoff_keeps_its_local_hour_across_daylight_saving(
    zone: ZoneInfo, spring: date, autumn: date
) -> None:
    daily = layer("A B C", "1d", "09:00", start=date(2026, 1, 5))
    for day in (spring - timedelta(days=1), spring, spring + timedelta(days=1), autumn, autumn + timedelta(days=1)):
        cell = cell_at(daily, zone, datetime.combine(day, time(12), tzinfo=zone))
        start = boundary(daily, zone, cell).astimezone(zone)
        assert (start.date(), start.time()) == (day, time(9, 0))
    # the shift across the spring change is an hour short, across the autumn change an hour long
    across_spring = boundary(daily, zone, cell_at(daily, zone, datetime.combine(spring, time(8), tzinfo=zone)))
    assert boundary(daily, zone, cell_at(daily, zone, across_spring) + 1) - across_spring == timedelta(hours=23)
    across_autumn = boundary(daily, zone, cell_at(daily, zone, datetime.combine(autumn, time(8), tzinfo=zone)))
    assert boundary(daily, zone, cell_at(daily, zone, across_autumn) + 1) - across_autumn == timedelta(hours=25)


def test_a_handoff_inside_the_skipped_spring_hour_moves_forward_not_away() -> None:
    daily = layer("A B", "1d", "02:30", start=date(2026, 3, 27))
    day_of_change = cell_at(daily, BERLIN, local(BERLIN, 2026, 3, 29, 12, 0))
    assert boundary(daily, BERLIN, day_of_change).astimezone(BERLIN).time() == time(3, 30)
    assert boundary(daily, BERLIN, day_of_change + 1).astimezone(BERLIN).time() == time(2, 30)


def test_a_weekly_rotation_keeps_monday_nine_across_the_autumn_change_in_new_york() -> None:
    weekly = layer("A B", "1w", "mon 09:00", start=date(2026, 10, 26))
    handoff = local(NEW_YORK, 2026, 11, 2, 9, 0)  # the Monday after the change (Nov 1)
    assert who(weekly, NEW_YORK, handoff - timedelta(seconds=1)) == ("A",)
    assert who(weekly, NEW_YORK, handoff) == ("B",)


def test_a_twelve_hour_rotation_counts_real_hours() -> None:
    halves = layer("A B", "12h", "09:00", start=date(2026, 3, 28))
    # 2026-03-29 is 23 hours long in Berlin: the grid stays 12 real hours apart, so the local hour moves
    assert boundary(halves, BERLIN, 3) - boundary(halves, BERLIN, 2) == timedelta(hours=12)
    assert boundary(halves, BERLIN, 2).astimezone(BERLIN).time() == time(10, 0)


def test_monthly_rotation_from_the_31st_clamps_and_returns() -> None:
    monthly = layer("A B", "1mo", "09:00", start=date(2026, 1, 31))
    assert boundary(monthly, BERLIN, 1).astimezone(BERLIN).date() == date(2026, 2, 28)
    assert boundary(monthly, BERLIN, 2).astimezone(BERLIN).date() == date(2026, 3, 31)


def test_a_single_member_is_always_on_call_after_the_start() -> None:
    alone = layer("A", "1d", "09:00")
    spans = shifts(Schedule("s", BERLIN, (alone,)), local(BERLIN, 2026, 2, 1, 0, 0), local(BERLIN, 2026, 3, 1, 0, 0))
    assert [s.users for s in spans] == [("A",)]


def sequence(lay: Layer, anchor: Anchor, first: int, count: int) -> list[str]:
    return [holder(lay, anchor, cell) for cell in range(first, first + count)]


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("A B C D", "A C D", ["B", "C", "D", "A", "C", "D"]),  # remove the one on call (B): keeps the turn
        ("A B C D", "A B D", ["B", "D", "A", "B", "D", "A"]),  # remove the next one (C): D follows B
        ("A B C D", "A B C D E", ["B", "C", "D", "E", "A", "B"]),  # add: joins at the end of the list
        ("A B C D", "B", ["B", "B", "B", "B", "B", "B"]),  # down to one member
    ],
)
def test_members_changing_mid_shift_skip_and_double_nobody(before: str, after: str, expected: list[str]) -> None:
    old, new = layer(before), layer(after)
    at = local(BERLIN, 2026, 1, 14, 12, 0)  # B's turn (the second week)
    anchor = reanchor(old, default_anchor(old), new, BERLIN, at)
    cell = cell_at(new, BERLIN, at)
    assert sequence(new, anchor, cell, 6) == expected


def test_removing_the_person_on_call_keeps_them_until_the_shift_ends() -> None:
    old, new = layer("A B C"), layer("A C")
    at = local(BERLIN, 2026, 1, 14, 12, 0)
    anchor = reanchor(old, default_anchor(old), new, BERLIN, at)
    assert who(new, BERLIN, at, anchor) == ("B",)
    assert who(new, BERLIN, local(BERLIN, 2026, 1, 19, 9, 0), anchor) == ("C",)
    assert who(new, BERLIN, local(BERLIN, 2026, 1, 26, 9, 0), anchor) == ("A",)


def test_an_unchanged_layer_reanchors_to_the_same_rotation() -> None:
    lay = layer("A B C")
    anchor = reanchor(lay, default_anchor(lay), lay, BERLIN, local(BERLIN, 2026, 2, 3, 0, 0))
    for week in range(12):
        at = local(BERLIN, 2026, 2, 2, 10, 0) + timedelta(weeks=week)
        assert who(lay, BERLIN, at, anchor) == who(lay, BERLIN, at)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("0d", "expected a rotation length"), ("1y", "expected a rotation length"), ("fortnight", "expected")],
)
def test_bad_periods_say_what_is_expected(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_period(text)


@pytest.mark.parametrize(
    ("text", "every", "fragment"),
    [("mon 25:00", "1w", "not a time of day"), ("xyz 09:00", "1w", "not a day"), ("mon 09:00", "1d", "in weeks")],
)
def test_bad_handoffs_say_what_is_wrong(text: str, every: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_handoff(text, parse_period(every))


def test_handoff_without_weekday() -> None:
    assert parse_handoff("9:05", parse_period("1d")) == Handoff(time(9, 5))
