"""Past incidents by month, in the page's time zone, a page of months at a time (`/status/history?page=N`)."""

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from firebell.domain.status_page.sources import Maintenance, PublicIncident

MONTHS_PER_PAGE = 3  # as Statuspage's history pages


@dataclass(frozen=True)
class Month:
    """One month of the history: its resolved incidents and completed maintenance, latest first."""

    first_day: date
    incidents: tuple[PublicIncident, ...]
    maintenances: tuple[Maintenance, ...]

    @property
    def label(self) -> str:
        """ "December 2026"."""
        return self.first_day.strftime("%B %Y")


@dataclass(frozen=True)
class HistoryPage:
    """Some months of the history, latest first, and where the other pages are."""

    number: int
    pages: int
    months: tuple[Month, ...]


def history_page(
    incidents: tuple[PublicIncident, ...],
    maintenances: tuple[Maintenance, ...],
    *,
    zone: ZoneInfo,
    today: date,
    page: int = 1,
) -> HistoryPage:
    """Months from the current one back to the oldest month with anything in it, `MONTHS_PER_PAGE` per page.

    An incident belongs to the month it started in; a maintenance to the month it started in. Open incidents and
    maintenance not yet completed are on the front page, not here. Empty months inside the range are shown (with
    "No incidents reported"), as Statuspage does; a page past the last is empty.
    """
    by_month: dict[date, tuple[list[PublicIncident], list[Maintenance]]] = {}
    for incident in incidents:
        if incident.resolved_at is not None:
            started = incident.started_at.astimezone(zone).date().replace(day=1)
            by_month.setdefault(started, ([], []))[0].append(incident)
    for maintenance in maintenances:
        started = maintenance.starts_at.astimezone(zone).date().replace(day=1)
        by_month.setdefault(started, ([], []))[1].append(maintenance)
    current = today.replace(day=1)
    oldest = min(by_month, default=current)
    count = (current.year - oldest.year) * 12 + current.month - oldest.month + 1
    pages = max(1, -(-count // MONTHS_PER_PAGE))
    months = []
    for index in range((page - 1) * MONTHS_PER_PAGE, min(page * MONTHS_PER_PAGE, count)):
        first = _months_before(current, index)
        found_incidents, found_maintenances = by_month.get(first, ([], []))
        months.append(
            Month(
                first_day=first,
                incidents=tuple(sorted(found_incidents, key=lambda i: i.started_at, reverse=True)),
                maintenances=tuple(sorted(found_maintenances, key=lambda m: m.starts_at, reverse=True)),
            )
        )
    return HistoryPage(number=page, pages=pages, months=tuple(months))


def _months_before(first: date, count: int) -> date:
    total = first.year * 12 + (first.month - 1) - count
    return date(total // 12, total % 12 + 1, 1)
