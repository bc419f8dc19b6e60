"""A schedule's final answer: restrictions that split shifts, layers covering what they cover, temporary
schedules and overrides in their windows only."""

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from firebell.domain.oncall import (
    Layer,
    Override,
    Schedule,
    Span,
    Temporary,
    on_call_at,
    parse_handoff,
    parse_period,
    parse_restriction,
    shifts,
)

BERLIN = ZoneInfo("Europe/Berlin")


def layer(members: str, every: str = "1w", handoff: str = "mon 09:00", only: str | None = None) -> Layer:
    period = parse_period(every)
    restriction = parse_restriction(only) if only else None
    return Layer(tuple(members.split()), period, parse_handoff(handoff, period), date(2026, 1, 5), restriction)


def at(*args: int) -> datetime:
    year, month, day, hour, minute = args
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def table(spans: list[Span]) -> list[tuple[str, str, tuple[str, ...]]]:
    fmt = "%a %d %H:%M"
    return [(s.start.astimezone(BERLIN).strftime(fmt), s.end.astimezone(BERLIN).strftime(fmt), s.users) for s in spans]


def test_a_restriction_splits_a_shift_and_leaves_gaps_uncovered() -> None:
    business = Schedule("s", BERLIN, (layer("A B", only="mon-fri 08:00-20:00"),))
    week = shifts(business, at(2026, 1, 9, 0, 0), at(2026, 1, 13, 0, 0))  # Fri to Tue; the handoff is Mon 09:00
    assert table(week) == [
        ("Fri 09 00:00", "Fri 09 08:00", ()),
        ("Fri 09 08:00", "Fri 09 20:00", ("A",)),
        ("Fri 09 20:00", "Mon 12 08:00", ()),
        ("Mon 12 08:00", "Mon 12 09:00", ("A",)),  # A's week ends inside the window: the window is split
        ("Mon 12 09:00", "Mon 12 20:00", ("B",)),
        ("Mon 12 20:00", "Tue 13 00:00", ()),
    ]


def test_a_later_layer_covers_what_an_earlier_one_restricts_and_only_that() -> None:
    schedule = Schedule("s", BERLIN, (layer("N", "1d", "20:00", only="20:00-08:00"), layer("A B")))
    night = on_call_at(schedule, at(2026, 1, 6, 23, 0))
    assert night.users == ("N",) and night.since == at(2026, 1, 6, 20, 0) and night.until == at(2026, 1, 7, 8, 0)
    assert on_call_at(schedule, at(2026, 1, 7, 8, 0)).users == ("A",)


def test_an_overnight_window_spanning_a_daylight_saving_change() -> None:
    nights = Schedule("s", BERLIN, (layer("N", "1d", "20:00", only="22:00-06:00"),))
    [before, night, after] = shifts(nights, at(2026, 3, 28, 21, 0), at(2026, 3, 29, 7, 0))
    assert night.users == ("N",) and night.end - night.start == timedelta(hours=7)  # one hour skipped
    assert before.users == after.users == ()


def test_an_override_applies_only_inside_its_window_then_the_rotation_resumes() -> None:
    schedule = Schedule("s", BERLIN, (layer("A B"),))
    cover = Override("C", at(2026, 1, 6, 12, 0), at(2026, 1, 6, 18, 0))
    assert on_call_at(schedule, at(2026, 1, 6, 11, 59), overrides=[cover]).users == ("A",)
    during = on_call_at(schedule, at(2026, 1, 6, 12, 0), overrides=[cover])
    assert during.users == ("C",) and during.until == at(2026, 1, 6, 18, 0)
    assert on_call_at(schedule, at(2026, 1, 6, 18, 0), overrides=[cover]).users == ("A",)


def test_an_override_spanning_a_handoff_covers_both_shifts() -> None:
    schedule = Schedule("s", BERLIN, (layer("A B"),))
    cover = Override("C", at(2026, 1, 11, 12, 0), at(2026, 1, 13, 12, 0))
    spans = shifts(schedule, at(2026, 1, 11, 0, 0), at(2026, 1, 14, 0, 0), overrides=[cover])
    assert table(spans) == [
        ("Sun 11 00:00", "Sun 11 12:00", ("A",)),
        ("Sun 11 12:00", "Tue 13 12:00", ("C",)),
        ("Tue 13 12:00", "Wed 14 00:00", ("B",)),
    ]


def test_overlapping_overrides_for_different_people_put_both_on_call_where_they_meet() -> None:
    schedule = Schedule("s", BERLIN, (layer("A B"),))
    overrides = [
        Override("C", at(2026, 1, 6, 10, 0), at(2026, 1, 6, 14, 0)),
        Override("D", at(2026, 1, 6, 12, 0), at(2026, 1, 6, 16, 0)),
    ]
    spans = shifts(schedule, at(2026, 1, 6, 10, 0), at(2026, 1, 6, 16, 0), overrides=overrides)
    assert [s.users for s in spans] == [("C",), ("C", "D"), ("D",)]


def test_a_temporary_schedule_replaces_the_rotation_for_its_window_gaps_included() -> None:
    schedule = Schedule("s", BERLIN, (layer("A B"),))
    holiday = Temporary(
        at(2026, 12, 24, 0, 0),
        at(2026, 12, 27, 0, 0),
        (Span(at(2026, 12, 24, 0, 0), at(2026, 12, 25, 0, 0), ("H",)),),
    )
    spans = shifts(schedule, at(2026, 12, 23, 0, 0), at(2026, 12, 28, 0, 0), temporaries=[holiday])
    regular = shifts(schedule, at(2026, 12, 23, 0, 0), at(2026, 12, 24, 0, 0))[0].users
    assert [s.users for s in spans] == [regular, ("H",), (), regular]
    # an override still applies inside a temporary schedule
    cover = Override("C", at(2026, 12, 25, 10, 0), at(2026, 12, 25, 11, 0))
    assert on_call_at(schedule, at(2026, 12, 25, 10, 30), temporaries=[holiday], overrides=[cover]).users == ("C",)


def test_shifts_cover_the_whole_range_without_gaps_or_overlaps() -> None:
    schedule = Schedule("s", BERLIN, (layer("A B C", "1d", "09:00", only="mon-fri 09:00-17:00"), layer("Z", "1w")))
    assert on_call_at(schedule, at(2026, 2, 7, 12, 0)).users == ("Z",)  # a Saturday: outside the first layer
    start, end = datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC)
    overrides = [
        Override("O", start + timedelta(days=d, hours=3), start + timedelta(days=d, hours=40)) for d in (3, 30)
    ]
    spans = shifts(schedule, start, end, overrides=overrides)
    assert spans[0].start == start and spans[-1].end == end
    assert all(a.end == b.start and (a.users != b.users) for a, b in itertools.pairwise(spans))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("mon-fri", "expected windows"),
        ("mon-fri 25:00-20:00", "not a time of day"),
        ("funday 08:00-10:00", "not a day"),
        ("08:00-08:00", "same time"),
        ("", "empty"),
    ],
)
def test_bad_restrictions_say_what_is_wrong(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_restriction(text)


def test_restriction_forms() -> None:
    weekend = parse_restriction("sat,sun 10:00-14:00; fri-mon 22:00-24:00")
    assert [sorted(w.days) for w in weekend.windows] == [[5, 6], [0, 4, 5, 6]]


@pytest.mark.parametrize(
    "schedule",
    [
        Schedule(
            "weekdays", BERLIN, (layer("A B C", only="mon-fri 08:00-20:00"), layer("D E", every="1d", handoff="09:00"))
        ),
        Schedule("long-shifts", BERLIN, (layer("A B", every="2w"),)),
        Schedule("one", BERLIN, (layer("A"),)),
    ],
    ids=lambda s: s.name,
)
def test_on_call_at_looks_near_first_yet_answers_as_the_whole_window_does(schedule: Schedule) -> None:
    from firebell.domain.oncall.schedule import LOOK_AHEAD, LOOK_BACK

    overrides = [
        Override("E", at(2026, 3, 2, 10, 0), at(2026, 3, 20, 10, 0)),
        Override("F", at(2026, 3, 4, 9, 0), at(2026, 3, 4, 21, 0)),
    ]
    moment = at(2026, 2, 20, 7, 30)
    for _ in range(120):
        moment += timedelta(hours=7, minutes=13)
        whole = shifts(schedule, moment - LOOK_BACK, moment + LOOK_AHEAD, overrides=overrides)
        span = next(s for s in whole if s.start <= moment < s.end)
        answer = on_call_at(schedule, moment, overrides=overrides)
        assert answer.users == span.users
        assert answer.since == (span.start if span.start > moment - LOOK_BACK else None)
        assert answer.until == (span.end if span.end < moment + LOOK_AHEAD else None)
