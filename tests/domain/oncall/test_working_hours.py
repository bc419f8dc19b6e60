"""Working hours read in a person's own time zone, across a daylight-saving change; the policy key validated."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from firebell.config import policy_from_mapping
from firebell.domain.errors import PolicyError
from firebell.domain.oncall.restrictions import parse_restriction
from firebell.domain.oncall.working_hours import within_hours

DEFAULT = parse_restriction("mon-fri 09:00-18:00")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("at", "inside"),
    [
        (datetime(2026, 3, 6, 14, 0, tzinfo=UTC), True),  # Friday 09:00 EST
        (datetime(2026, 3, 6, 13, 59, tzinfo=UTC), False),  # 08:59 EST
        (datetime(2026, 3, 6, 23, 0, tzinfo=UTC), False),  # 18:00 EST: the end is not inside
        (datetime(2026, 3, 9, 13, 0, tzinfo=UTC), True),  # Monday 09:00 EDT, after the spring change
        (datetime(2026, 3, 7, 15, 0, tzinfo=UTC), False),  # Saturday
    ],
)
def test_hours_are_local_to_the_person(at: datetime, inside: bool) -> None:
    assert within_hours(at, DEFAULT, NEW_YORK) is inside


def test_night_hours_run_past_midnight() -> None:
    nights = parse_restriction("22:00-06:00")
    assert within_hours(datetime(2026, 3, 7, 5, 0, tzinfo=UTC), nights, ZoneInfo("UTC"))
    assert not within_hours(datetime(2026, 3, 7, 12, 0, tzinfo=UTC), nights, ZoneInfo("UTC"))


def test_the_default_and_a_bad_value_in_the_policy() -> None:
    assert policy_from_mapping({}, source="t").oncall.paging.working_hours == "mon-fri 09:00-18:00"
    custom = policy_from_mapping({"paging": {"working_hours": "sun-thu 08:00-17:00"}}, source="t")
    assert custom.oncall.paging.working() == parse_restriction("sun-thu 08:00-17:00")
    with pytest.raises(PolicyError, match=r"paging\.working_hours: expected windows like"):
        policy_from_mapping({"paging": {"working_hours": "weekdays"}}, source="t")
