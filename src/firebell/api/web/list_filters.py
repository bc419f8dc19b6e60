"""Reading the incident list's query string (status, severity, service, from, to, before) into a filter."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from firebell.domain.affected_service import service_named
from firebell.domain.errors import FirebellError
from firebell.domain.lifecycle import Status
from firebell.domain.policy import Policy
from firebell.services.incident_search import IncidentFilter

STATUS_CHOICES: dict[str, tuple[Status, ...]] = {
    "open": (Status.INVESTIGATING, Status.MITIGATED),
    "investigating": (Status.INVESTIGATING,),
    "mitigated": (Status.MITIGATED,),
    "resolved": (Status.RESOLVED,),
    "closed": (Status.CLOSED,),
}
PARAMETERS = ("status", "severity", "service", "from", "to", "before")
SHOWN = 40  # at most this much of a bad value is echoed back


@dataclass(frozen=True)
class ListQuery:
    """A valid list request: the filter, the page's keyset cursor, and the values as given (for the form)."""

    where: IncidentFilter
    before: int | None
    values: dict[str, str]


def _shown(value: str) -> str:
    return value if len(value) <= SHOWN else f"{value[:SHOWN]}…"


def _day(value: str, name: str, problems: list[str]) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"`{name}` must be a date as YYYY-MM-DD (UTC), got `{_shown(value)}`.")
        return None


def read_list_query(params: Mapping[str, str], policy: Policy) -> ListQuery | list[str]:
    """The list request these parameters ask for, or every problem with them (each naming what is valid)."""
    values = {name: params.get(name, "").strip() for name in PARAMETERS}
    problems: list[str] = []
    statuses: tuple[Status, ...] = ()
    if values["status"]:
        found = STATUS_CHOICES.get(values["status"].lower())
        if found is None:
            problems.append(
                f"Unknown status `{_shown(values['status'])}`. Valid statuses: {', '.join(STATUS_CHOICES)}."
            )
        else:
            statuses = found
    severity = service = None
    if values["severity"]:
        try:
            severity = policy.severity(values["severity"]).name
        except FirebellError as exc:
            problems.append(exc.message)
    if values["service"]:
        try:
            service = service_named(policy, values["service"]).name
        except FirebellError as exc:
            problems.append(exc.message)
    start = _day(values["from"], "from", problems) if values["from"] else None
    end = _day(values["to"], "to", problems) if values["to"] else None
    if start and end and end < start:
        problems.append(f"`to` ({end}) is before `from` ({start}); `to` is the last day to include.")
    before = None
    if values["before"]:
        if not values["before"].isdigit() or not 0 < int(values["before"]) < 2**31:
            problems.append(
                f"`before` must be an incident number (a positive whole number), got `{_shown(values['before'])}`."
            )
        else:
            before = int(values["before"])
    if problems:
        return problems
    where = IncidentFilter(
        statuses=statuses,
        severity=severity,
        service=service,
        declared_from=datetime.combine(start, time(), UTC) if start else None,
        declared_to=datetime.combine(end + timedelta(days=1), time(), UTC) if end else None,
    )
    return ListQuery(where=where, before=before, values=values)
