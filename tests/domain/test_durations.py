import re
from datetime import timedelta

import pytest

from firebell.domain.durations import format_duration, format_policy_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("15m", 900), ("1h", 3600), ("1h30m", 5400), ("2d", 172800), (" 1h 5m ", 3900), ("90S", 90)],
)
def test_parses_policy_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["0", 0, "none", "off", "0s", "0m"])
def test_zero_means_no_cadence(text: str | int) -> None:
    assert parse_duration(text) is None


@pytest.mark.parametrize("text", ["15", "fifteen minutes", "1x", "m15", "-5m", "1.5h", True, 15])
def test_rejects_ambiguous_or_malformed(text: str | int | bool) -> None:
    with pytest.raises(ValueError, match=r"duration|unit"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0, "0s"), (45, "45s"), (60, "1m"), (720, "12m"), (4320, "1h 12m"), (7200, "2h"), (97200, "1d 3h"), (-5, "0s")],
)
def test_formats_for_people(seconds: int, shown: str) -> None:
    assert format_duration(timedelta(seconds=seconds)) == shown


def test_policy_format_round_trips() -> None:
    for text in ("30s", "15m", "1h30m", "2h"):
        assert format_policy_duration(parse_duration(text)) == text
    assert format_policy_duration(None) == "none"


@pytest.mark.parametrize("text", ["99999999999h", "366d", "9" * 30 + "m", "9" * 5000 + "s"])
def test_refuses_durations_beyond_a_year_without_overflowing(text: str) -> None:
    with pytest.raises(ValueError, match=r"at most 365d|duration like"):
        parse_duration(text)


def test_a_year_is_the_longest_duration() -> None:
    assert parse_duration("365d") == timedelta(days=365)


@pytest.mark.parametrize("bare", [15, "15", 1440, 99999999999, "99999999999", 1.5, -5, 10**30, float("inf")])
def test_the_bare_number_hint_suggests_only_valid_durations(bare: int | float | str) -> None:
    with pytest.raises(ValueError, match="bare number is ambiguous") as raised:
        parse_duration(bare)
    suggested = re.findall(r"\b\d+[dhms][0-9dhms]*\b", str(raised.value).split("e.g.")[1])
    assert suggested
    for suggestion in suggested:
        assert parse_duration(suggestion) is not None, suggestion


def test_the_bare_number_hint_keeps_the_number_when_it_can() -> None:
    with pytest.raises(ValueError, match=r"e\.g\. 15m or 15s"):
        parse_duration(15)
