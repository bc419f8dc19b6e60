"""Action items: what a review decides to do so it does not happen again, and when each is due."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from firebell.domain.errors import UsageError

DUE_FORMS = "YYYY-MM-DD, today, tomorrow, `in 3d` or `in 2w`"
_RELATIVE = re.compile(r"^in\s*(\d{1,3})\s*([dw])(?:ays?|eeks?)?$", re.IGNORECASE)


class ItemStatus(StrEnum):
    """Open until someone marks it done."""

    OPEN = "open"
    DONE = "done"


def parse_due(token: str, *, today: date) -> date:
    """Read a due date: `2026-12-01`, `today`, `tomorrow`, `in 3d`, `in 2w`; UsageError otherwise."""
    text = token.strip().lower()
    if text == "today":
        return today
    if text == "tomorrow":
        return today + timedelta(days=1)
    relative = _RELATIVE.match(text)
    if relative:
        count, unit = int(relative.group(1)), relative.group(2).lower()
        return today + timedelta(days=count * (7 if unit == "w" else 1))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"Couldn't read the due date `{token.strip()}`. Use {DUE_FORMS}.") from None


@dataclass(frozen=True)
class ActionItemView:
    """An action item as lists, drafts and the API show it."""

    id: int
    incident_number: int
    text: str
    owner: str | None
    due_on: date | None
    status: ItemStatus
    created_at: datetime
    done_at: datetime | None

    def is_overdue(self, today: date) -> bool:
        """Open and past its due date."""
        return self.status is ItemStatus.OPEN and self.due_on is not None and self.due_on < today

    def done_on_time(self) -> bool | None:
        """For a done item with a due date: was it done by then (None when not applicable)."""
        if self.status is not ItemStatus.DONE or self.due_on is None or self.done_at is None:
            return None
        return self.done_at.date() <= self.due_on


@dataclass(frozen=True)
class CompletionStats:
    """How many action items of a period got done, and how many on time."""

    period_start: date
    total: int
    done: int
    done_with_due: int
    done_on_time: int

    @property
    def completion_rate(self) -> float | None:
        """Done / total."""
        return self.done / self.total if self.total else None

    @property
    def on_time_share(self) -> float | None:
        """Of the done items that had a due date, the share done by it."""
        return self.done_on_time / self.done_with_due if self.done_with_due else None


def period_start(day: date, period: str) -> date:
    """The Monday of the week, or the first of the month, that contains `day`."""
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    raise UsageError(f"Unknown period `{period}`. Use week or month.")


def completion_by_period(items: list[ActionItemView], period: str) -> list[CompletionStats]:
    """Completion and on-time share of items grouped by the period they were created in, oldest first."""
    groups: dict[date, list[ActionItemView]] = {}
    for item in items:
        groups.setdefault(period_start(item.created_at.date(), period), []).append(item)
    stats = []
    for start in sorted(groups):
        members = groups[start]
        done = [i for i in members if i.status is ItemStatus.DONE]
        timed = [i for i in done if i.done_on_time() is not None]
        stats.append(
            CompletionStats(
                period_start=start,
                total=len(members),
                done=len(done),
                done_with_due=len(timed),
                done_on_time=sum(1 for i in timed if i.done_on_time()),
            )
        )
    return stats
