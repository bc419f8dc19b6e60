"""Action items in the domain: due dates as people type them, overdue items, completion by period."""

from datetime import UTC, date, datetime

import pytest

from firebell.domain.action_items import ActionItemView, ItemStatus, completion_by_period, parse_due, period_start
from firebell.domain.errors import UsageError

TODAY = date(2026, 11, 24)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("today", TODAY),
        ("tomorrow", date(2026, 11, 25)),
        ("in 3d", date(2026, 11, 27)),
        ("in 2w", date(2026, 12, 8)),
        ("in 10 days", date(2026, 12, 4)),
        ("IN 1W", date(2026, 12, 1)),
    ],
)
def test_due_dates(text: str, due: date) -> None:
    assert parse_due(text, today=TODAY) == due


@pytest.mark.parametrize("text", ["friday", "next week", "2026-13-01", "in 3 months", "soon"])
def test_unreadable_due_dates_name_the_valid_forms(text: str) -> None:
    with pytest.raises(
        UsageError, match=r"Couldn't read the due date .* Use YYYY-MM-DD, today, tomorrow, `in 3d` or `in 2w`"
    ):
        parse_due(text, today=TODAY)


def item(n: int, created: date, *, done: date | None = None, due: date | None = None) -> ActionItemView:
    return ActionItemView(
        id=n,
        incident_number=1,
        text=f"item {n}",
        owner=None,
        due_on=due,
        status=ItemStatus.DONE if done else ItemStatus.OPEN,
        created_at=datetime.combine(created, datetime.min.time(), UTC),
        done_at=datetime.combine(done, datetime.min.time(), UTC) if done else None,
    )


def test_overdue_and_on_time() -> None:
    assert item(1, TODAY, due=date(2026, 11, 23)).is_overdue(TODAY)
    assert not item(1, TODAY, due=TODAY).is_overdue(TODAY)
    assert item(1, TODAY, due=date(2026, 11, 30), done=date(2026, 11, 29)).done_on_time() is True
    assert item(1, TODAY, due=date(2026, 11, 30), done=date(2026, 12, 2)).done_on_time() is False
    assert item(1, TODAY, done=date(2026, 12, 2)).done_on_time() is None


def test_completion_by_month_and_week() -> None:
    items = [
        item(1, date(2026, 10, 5), done=date(2026, 10, 6), due=date(2026, 10, 10)),
        item(2, date(2026, 10, 20), done=date(2026, 11, 2), due=date(2026, 10, 30)),
        item(3, date(2026, 10, 21)),
        item(4, date(2026, 11, 3), done=date(2026, 11, 4)),
    ]
    october, november = completion_by_period(items, "month")
    assert (october.period_start, october.total, october.done) == (date(2026, 10, 1), 3, 2)
    assert october.completion_rate == pytest.approx(2 / 3)
    assert october.on_time_share == pytest.approx(0.5)
    assert (november.total, november.done, november.on_time_share) == (1, 1, None)
    assert [s.period_start for s in completion_by_period(items, "week")] == [
        date(2026, 10, 5),
        date(2026, 10, 19),
        date(2026, 11, 2),
    ]
    assert period_start(TODAY, "week") == date(2026, 11, 23)
    with pytest.raises(UsageError, match="Unknown period `year`"):
        period_start(TODAY, "year")
