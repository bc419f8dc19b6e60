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
