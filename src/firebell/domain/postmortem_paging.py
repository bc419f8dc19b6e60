"""The postmortem's Paging section: who was paged and when, who acknowledged and after how long, who couldn't or
could not be reached, escalations by hand, and pages nobody answered. Pure: the record is read by the caller."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from firebell.domain.incident import IncidentSnapshot
from firebell.domain.paging import PageStatus, elapsed
from firebell.domain.timeline import EventKind

# How the timeline section labels paging events.
PAGE_LABELS = {
    EventKind.PAGED: "Page",
    EventKind.PAGE_NOTIFIED: "Paged",
    EventKind.PAGE_ACKNOWLEDGED: "Acknowledged",
    EventKind.PAGE_DECLINED: "Can't",
    EventKind.PAGE_ESCALATED: "Escalated",
    EventKind.PAGE_UNREACHABLE: "Unreachable",
    EventKind.PAGE_HELD: "Page held",
    EventKind.PAGE_RESUMED: "Page resumed",
    EventKind.PAGE_UNANSWERED: "Unanswered",
    EventKind.PAGE_ENDED: "Page ended",
    EventKind.PAGE_RETARGETED: "Page re-targeted",
}
_TARGET_WORDS = {"service": "service", "policy": "escalation policy", "schedule": "schedule"}


@dataclass(frozen=True)
class Notified:
    """One person told of a page at one step."""

    user: str
    at: datetime
    round: int
    step: int
    via: str
    outcome: str  # queued, sent, unreachable
    error: str | None = None


@dataclass(frozen=True)
class Response:
    """Someone answered a page: acknowledge, cant or escalate."""

    user: str
    kind: str
    at: datetime


@dataclass(frozen=True)
class PageRecord:
    """One page of the incident, as the store keeps it."""

    id: int
    target: str
    created_at: datetime
    status: str
    paged_by: str | None = None
    reason: str | None = None
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    ended_at: datetime | None = None
    notified: tuple[Notified, ...] = ()
    responses: tuple[Response, ...] = ()

    @property
    def people(self) -> set[str]:
        """Everyone the page names."""
        ids = {n.user for n in self.notified} | {r.user for r in self.responses}
        return ids | {u for u in (self.paged_by, self.acknowledged_by) if u}


@dataclass(frozen=True)
class PagingRecord:
    """Every page of an incident, oldest first."""

    pages: tuple[PageRecord, ...] = field(default_factory=tuple)

    @property
    def people(self) -> set[str]:
        """Everyone the section names."""
        return {u for page in self.pages for u in page.people}


def _when(at: datetime) -> str:
    return at.strftime("%H:%M:%S UTC")


def _target(target: str, who: Callable[[str | None], str]) -> str:
    kind, _, name = target.partition(":")
    if kind == "user":
        return who(name)
    return f"{_TARGET_WORDS.get(kind, kind)} {name}" if name else target


def _step(round_: int, step: int) -> str:
    return f"step {step + 1}" if round_ == 0 else f"step {step + 1}, round {round_ + 1}"


_ANSWERS = {"acknowledge": "acknowledged", "cant": "couldn't take it", "escalate": "escalated it by hand"}


def _lines(page: PageRecord, who: Callable[[str | None], str]) -> list[str]:
    events: list[tuple[datetime, int, str]] = []
    for n in page.notified:
        line = f"paged {who(n.user)} ({_target(n.via, who)}, {_step(n.round, n.step)})"
        if n.outcome == "unreachable":
            line += f": could not be reached in Slack ({n.error or 'refused'})"
        events.append((n.at, 0, line))
    for r in page.responses:
        line = f"{who(r.user)} {_ANSWERS.get(r.kind, r.kind)}"
        if r.kind == "acknowledge":
            line += f" after {elapsed(r.at - page.created_at)}"
        events.append((r.at, 1, line))
    return [f"- {_when(at)}: {line}" for at, _, line in sorted(events, key=lambda e: (e[0], e[1]))]


def _outcome(page: PageRecord, who: Callable[[str | None], str]) -> str:
    if page.acknowledged_at is not None:
        took = elapsed(page.acknowledged_at - page.created_at)
        return f"Acknowledged by {who(page.acknowledged_by)} after {took}."
    tried = sorted({who(n.user) for n in page.notified})
    if page.status == PageStatus.EXHAUSTED:
        return f"**Nobody acknowledged it**; tried {', '.join(tried) or 'nobody'}. The announcement channel was told."
    if page.status == PageStatus.CANCELLED:
        return "Ended unacknowledged when the incident resolved."
    return "Still paging, unacknowledged."


def render_paging(record: PagingRecord, incident: IncidentSnapshot, who: Callable[[str | None], str]) -> list[str]:
    """The `## Paging` section's lines (none when nobody was paged)."""
    if not record.pages:
        return []
    lines = ["## Paging", ""]
    if incident.acknowledged_at is not None:
        took = elapsed(incident.acknowledged_at - incident.declared_at)
        lines += [f"Time to acknowledge: **{took}** from the declare (first acknowledgement of the first page).", ""]
    else:
        lines += ["Time to acknowledge: _nobody acknowledged a page_.", ""]
    for number, page in enumerate(record.pages, start=1):
        by = f"by {who(page.paged_by)}" if page.paged_by else "automatically"
        why = f": {' '.join(page.reason.split())}" if page.reason else ""
        lines.append(f"**Page {number}** to {_target(page.target, who)}, {by} at {_when(page.created_at)}{why}")
        lines += ["", *_lines(page, who), f"- {_outcome(page, who)}", ""]
    lines += [
        "- _Were the right people paged, quickly enough? Did anyone get paged who could not help?_",
        "- _Did the escalation policy and schedules match who actually fixed it?_",
        "",
    ]
    return lines
