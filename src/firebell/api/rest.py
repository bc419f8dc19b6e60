"""The REST API (`/api/v1`): incidents and their timelines, behind a bearer token."""

import hmac
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from fastapi.responses import PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from firebell.domain.action_items import ActionItemView, CompletionStats
from firebell.domain.cadence import CADENCE_KINDS, cadence_report
from firebell.domain.incident import IncidentSnapshot
from firebell.runtime import Runtime
from firebell.services.action_items import completion, query_items
from firebell.services.incidents import get_incident, list_incidents
from firebell.services.postmortem import postmortem_markdown
from firebell.services.timeline import timeline_of

bearer = HTTPBearer(auto_error=False)


class IncidentOut(BaseModel):
    """An incident as the API shows it."""

    number: int
    label: str
    title: str
    severity: str
    status: str
    commander: str
    declared_by: str
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


def build_router(runtime: Runtime) -> APIRouter:
    """The `/api/v1` routes; every one requires `Authorization: Bearer <FIREBELL_API_TOKEN>`."""

    def require_token(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> None:
        expected = runtime.settings.firebell_api_token
        if expected is None:
            raise HTTPException(403, "The REST API is disabled: set FIREBELL_API_TOKEN to enable it.")
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise HTTPException(401, "Send Authorization: Bearer <FIREBELL_API_TOKEN>.", {"WWW-Authenticate": "Bearer"})
        if not hmac.compare_digest(credentials.credentials.encode(), expected.get_secret_value().encode()):
            raise HTTPException(401, "Invalid API token.", {"WWW-Authenticate": "Bearer"})

    router = APIRouter(prefix="/api/v1", dependencies=[Depends(require_token)], tags=["incidents"])
    ctx = runtime.ctx

    @router.get("/incidents")
    def incidents(
        response: Response,
        status: Literal["open", "all"] = "all",
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        cursor: Annotated[str | None, Query(description="The X-Next-Cursor of the previous page")] = None,
    ) -> list[IncidentOut]:
        """Incidents, newest first. When more remain, `X-Next-Cursor` (and a `Link: rel=next`) says where."""
        before: int | None = None
        if cursor is not None:
            if not cursor.isdigit():
                raise HTTPException(400, f"Invalid cursor {cursor!r}: pass the X-Next-Cursor value you were given.")
            before = int(cursor)
        rows = list_incidents(ctx, open_only=status == "open", limit=limit + 1, before_number=before)
        page = rows[:limit]
        if len(rows) > limit:
            next_cursor = str(page[-1].number)
            response.headers["X-Next-Cursor"] = next_cursor
            response.headers["Link"] = (
                f'</api/v1/incidents?status={status}&limit={limit}&cursor={next_cursor}>; rel="next"'
            )
        return [IncidentOut.of(row) for row in page]

    @router.get("/incidents/{number}")
    def incident(number: int) -> IncidentDetailOut:
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

    @router.get("/incidents/{number}/timeline")
    def timeline(number: int) -> list[TimelineEventOut]:
        """An incident's timeline in time order."""
        snapshot = get_incident(ctx, number)
        with ctx.db.read() as session:
            entries = timeline_of(session, snapshot.id)
        return [TimelineEventOut(at=e.at, kind=e.kind.value, actor=e.actor, text=e.text, data=e.data) for e in entries]

    @router.get(
        "/incidents/{number}/postmortem",
        response_class=PlainTextResponse,
        responses={200: {"content": {"text/markdown": {}}, "description": "The postmortem draft as Markdown"}},
    )
    def postmortem(number: int) -> PlainTextResponse:
        """The postmortem draft, rendered from the incident's current record (Markdown)."""
        return PlainTextResponse(postmortem_markdown(ctx, number), media_type="text/markdown; charset=utf-8")

    @router.get("/incidents/{number}/action-items", tags=["action items"])
    def incident_action_items(number: int) -> list[ActionItemOut]:
        """An incident's action items."""
        return [ActionItemOut.of(i, today=ctx.clock().date()) for i in query_items(ctx, incident_number=number)]

    @router.get("/action-items", tags=["action items"])
    def action_items(
        status: Literal["open", "done", "overdue"] | None = None, owner: str | None = None
    ) -> list[ActionItemOut]:
        """Action items across incidents, by status (open, done, overdue) and owner (a Slack user id)."""
        today = ctx.clock().date()
        return [ActionItemOut.of(i, today=today) for i in query_items(ctx, status=status, owner=owner)]

    @router.get("/action-items/completion", tags=["action items"])
    def action_item_completion(
        period: Literal["week", "month"] = "month", since: date | None = None
    ) -> list[CompletionOut]:
        """Completion rate (done / total) and on-time share of action items, by the period they were created in."""
        return [CompletionOut.of(s) for s in completion(ctx, period=period, since=since)]

    return router


class ActionItemOut(BaseModel):
    """An action item as the API shows it."""

    id: int
    incident_number: int
    text: str
    owner: str | None
    due_on: date | None
    status: str
    overdue: bool
    created_at: datetime
    done_at: datetime | None

    @classmethod
    def of(cls, item: ActionItemView, *, today: date) -> "ActionItemOut":
        """From the domain view."""
        return cls(
            id=item.id,
            incident_number=item.incident_number,
            text=item.text,
            owner=item.owner,
            due_on=item.due_on,
            status=item.status.value,
            overdue=item.is_overdue(today),
            created_at=item.created_at,
            done_at=item.done_at,
        )


class CompletionOut(BaseModel):
    """How a period's action items went."""

    period_start: date
    total: int
    done: int
    completion_rate: float | None
    done_with_due_date: int
    done_on_time: int
    on_time_share: float | None

    @classmethod
    def of(cls, stats: CompletionStats) -> "CompletionOut":
        """From the domain figures."""
        return cls(
            period_start=stats.period_start,
            total=stats.total,
            done=stats.done,
            completion_rate=stats.completion_rate,
            done_with_due_date=stats.done_with_due,
            done_on_time=stats.done_on_time,
            on_time_share=stats.on_time_share,
        )
