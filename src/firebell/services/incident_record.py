"""Everything known about one incident, read at once for the internal web view's incident page."""

from dataclasses import dataclass

from firebell.domain.action_items import ActionItemView
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.role_history import RoleHeld, role_history
from firebell.domain.severity_history import SeverityStep, severity_history
from firebell.domain.timeline import TimelineEntry
from firebell.services.action_items import query_items
from firebell.services.alerts.queries import AlertView, alerts_of_incident
from firebell.services.context import Context
from firebell.services.incidents import get_incident
from firebell.services.paging.queries import PageView, list_pages
from firebell.services.people.names import names_for
from firebell.services.postmortem import postmortem_markdown
from firebell.services.timeline import timeline_of


@dataclass(frozen=True)
class IncidentRecord:
    """One incident with its timeline, severity and role history, alerts, pages, action items and postmortem."""

    incident: IncidentSnapshot
    timeline: list[TimelineEntry]
    severity: list[SeverityStep]
    roles: list[RoleHeld]
    alerts: list[AlertView]
    pages: list[PageView]
    action_items: list[ActionItemView]
    postmortem: str  # the current draft, Markdown
    names: dict[str, str]  # Slack user id -> the name Firebell knows for them


def incident_record(ctx: Context, number: int) -> IncidentRecord:
    """The whole record of incident `number` (IncidentNotFound when there is none)."""
    incident = get_incident(ctx, number)
    with ctx.db.read() as session:
        timeline = timeline_of(session, incident.id)
    roles = role_history(timeline)
    pages = list_pages(ctx, incident=number)
    items = query_items(ctx, incident_number=number)
    people = {*incident.roles.values(), *(held.user for held in roles), *(e.actor for e in timeline if e.actor)}
    people |= {item.owner for item in items if item.owner}
    for page in pages:
        people |= {n.user for n in page.notifications} | {r.user for r in page.responses}
        people |= {u for u in (page.paged_by, page.acknowledged_by, incident.declared_by) if u}
    with ctx.db.read() as session:
        names = names_for(session, people)
    return IncidentRecord(
        incident=incident,
        timeline=timeline,
        severity=severity_history(timeline),
        roles=roles,
        alerts=alerts_of_incident(ctx, number),
        pages=pages,
        action_items=items,
        postmortem=postmortem_markdown(ctx, number),
        names=names,
    )
