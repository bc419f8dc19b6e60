"""The REST API's incidents: the list (keyset-paginated), one incident, its timeline and postmortem draft."""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from firebell.api.errors import error_responses
from firebell.api.params import IncidentNumber, PageSize
from firebell.domain.cadence import CADENCE_KINDS, cadence_report
from firebell.domain.incident import IncidentSnapshot
from firebell.services.context import Context
from firebell.services.incidents import get_incident, list_incidents
from firebell.services.postmortem import postmortem_markdown
from firebell.services.timeline import timeline_of


class IncidentOut(BaseModel):
    """An incident as the API shows it."""

    number: int
    label: str
    title: str
    severity: str
    status: str
    commander: str | None  # None: an alert-born incident nobody has taken command of yet
    declared_by: str | None  # None: declared by an alert source's declare rule (`declared_from`)
    declared_from: str | None  # the alert source that declared it, for an alert-born incident
    roles: dict[str, str]
    description: str | None
    customer_impact: str | None
    channel_id: str | None
    channel_name: str | None
    declared_at: datetime
    detected_at: datetime | None
    impact_started_at: datetime | None  # until someone says otherwise, the detection time
    mitigated_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    last_update_at: datetime | None
    next_update_due_at: datetime | None
    service: str | None  # the service affected (a name from the policy's `services`)
    acknowledged_at: datetime | None  # the first acknowledgement of its first page (time to acknowledge)

    @classmethod
    def of(cls, incident: IncidentSnapshot) -> "IncidentOut":
        """From the domain snapshot."""
        return cls(
            number=incident.number,
            label=incident.label,
            title=incident.title,
            severity=incident.severity,
            status=incident.status.value,
            commander=incident.commander,
            declared_by=incident.declared_by,
            declared_from=incident.declared_from,
            roles=incident.roles,
            description=incident.description,
            customer_impact=incident.customer_impact,
            channel_id=incident.channel_id,
            channel_name=incident.channel_name,
            declared_at=incident.declared_at,
            detected_at=incident.detected_at,
            impact_started_at=incident.impact_started_at or incident.detected_at,
            mitigated_at=incident.mitigated_at,
            resolved_at=incident.resolved_at,
            closed_at=incident.closed_at,
            last_update_at=incident.last_update_at,
            next_update_due_at=incident.next_update_due_at,
            service=incident.service,
            acknowledged_at=incident.acknowledged_at,
        )


class CadenceOut(BaseModel):
    """How well the incident kept its communication cadence."""

    updates_due: int
    updates_on_time: int
    longest_silence_seconds: int


class IncidentDetailOut(IncidentOut):
    """One incident, with its cadence record."""

    cadence: CadenceOut


class TimelineEventOut(BaseModel):
    """One timeline event."""

    at: datetime
    kind: str
    actor: str | None
    text: str
    data: dict[str, Any]


NUMBER = Annotated[IncidentNumber, Path(description="The incident's number (INC-n)")]
NOT_FOUND = error_responses(404)
NEXT_PAGE_HEADERS = {
    "X-Next-Cursor": {
        "description": "Pass as `cursor` for the next page (absent on the last page)",
        "schema": {"type": "string"},
    },
    "Link": {
        "description": 'The next page\'s URL with rel="next" (absent on the last page)',
        "schema": {"type": "string"},
    },
}


def incidents_router(ctx: Context) -> APIRouter:
    """`/incidents` and one incident's sub-resources."""
    router = APIRouter(tags=["incidents"])

    @router.get("/incidents", responses={200: {"description": "One page of incidents", "headers": NEXT_PAGE_HEADERS}})
    def incidents(
        response: Response,
        status: Literal["open", "all"] = "all",
        limit: Annotated[PageSize, Query(description="Incidents per page")] = 50,
        cursor: Annotated[IncidentNumber | None, Query(description="The X-Next-Cursor of the previous page")] = None,
    ) -> list[IncidentOut]:
        """Incidents, newest first. When more remain, `X-Next-Cursor` (and a `Link: rel=next`) says where."""
        rows = list_incidents(ctx, open_only=status == "open", limit=limit + 1, before_number=cursor)
        page = rows[:limit]
        if len(rows) > limit:
            next_cursor = str(page[-1].number)
            response.headers["X-Next-Cursor"] = next_cursor
            response.headers["Link"] = (
                f'</api/v1/incidents?status={status}&limit={limit}&cursor={next_cursor}>; rel="next"'
            )
        return [IncidentOut.of(row) for row in page]

    @router.get("/incidents/{number}", responses=NOT_FOUND)
    def incident(number: NUMBER) -> IncidentDetailOut:
        """One incident by number, with its cadence record (updates due, on time, longest silence)."""
        snapshot = get_incident(ctx, number)
        with ctx.db.read() as session:
            report = cadence_report(timeline_of(session, snapshot.id, kinds=CADENCE_KINDS), now=ctx.clock())
        cadence = CadenceOut(
            updates_due=report.updates_due,
            updates_on_time=report.updates_on_time,
            longest_silence_seconds=int(report.longest_silence.total_seconds()),
        )
        return IncidentDetailOut(**IncidentOut.of(snapshot).model_dump(), cadence=cadence)

    @router.get("/incidents/{number}/timeline", responses=NOT_FOUND)
    def timeline(number: NUMBER) -> list[TimelineEventOut]:
        """An incident's timeline in time order."""
        snapshot = get_incident(ctx, number)
        with ctx.db.read() as session:
            entries = timeline_of(session, snapshot.id)
        return [TimelineEventOut(at=e.at, kind=e.kind.value, actor=e.actor, text=e.text, data=e.data) for e in entries]

    @router.get(
        "/incidents/{number}/postmortem",
        response_class=PlainTextResponse,
        responses={
            200: {
                "content": {"text/markdown": {"schema": {"type": "string"}}},
                "description": "The postmortem draft as Markdown",
            },
            **NOT_FOUND,
        },
    )
    def postmortem(number: NUMBER) -> PlainTextResponse:
        """The postmortem draft, rendered from the incident's current record (Markdown)."""
        return PlainTextResponse(postmortem_markdown(ctx, number), media_type="text/markdown; charset=utf-8")

    return router
