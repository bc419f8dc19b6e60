"""The action-item endpoints validate exactly what their document says."""

import pytest

from tests.harness import Firebell


@pytest.mark.parametrize(
    "since",
    ["0", "1700000000", "2026-02-30", "2026-1-5", "20260105", "2026-W01-1", "2026-01-05T00:00:00", ""],
)
def test_completion_refuses_anything_but_a_calendar_date(firebell: Firebell, since: str) -> None:
    response = firebell.api("/api/v1/action-items/completion", since=since)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "'since'" in detail
    assert "YYYY-MM-DD" in detail or "not a date on the calendar" in detail


def test_completion_takes_a_date(firebell: Firebell) -> None:
    response = firebell.api("/api/v1/action-items/completion", since="2026-01-05", period="week")
    assert response.status_code == 200
    assert response.json() == []


def test_an_unknown_status_is_400_naming_the_valid_ones(firebell: Firebell) -> None:
    response = firebell.api("/api/v1/action-items", status="late")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "'status'" in detail
    assert "'open', 'done' or 'overdue'" in detail
