"""Alert routes: the webhooks (`/api/v1/alerts/{source}`) and the read endpoints for alerts and groups."""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from firebell.api.alert_intake import Refused, check_signature, check_token, read_body
from firebell.api.auth import token_check
from firebell.api.errors import error_responses
from firebell.api.params import IncidentNumber, PageSize, RowId
from firebell.domain.alert_sources import SOURCE_NAME_PATTERN
from firebell.domain.alerts import AlertKind, AlertPayloadError, parse_body
from firebell.runtime import Runtime
from firebell.services.alerts.followups import follow_up
from firebell.services.alerts.ingest import ingest_alerts
from firebell.services.alerts.queries import (
    AlertGroupNotFound,
    AlertGroupView,
    AlertView,
    alerts_of_incident,
    get_alert_group,
    list_alert_groups,
    list_alerts,
)

log = logging.getLogger(__name__)


class AlertErrorOut(BaseModel):
    """What was wrong; for a body that is wrong, `field` names where (`alerts[2].startsAt`)."""

    detail: str
    field: str | None = None


class IngestOut(BaseModel):
    """What a webhook request changed, once committed."""

    group_id: int
    alerts: int
    new: int
    refired: int
    resolved: int
    repeated: int


class AlertOut(BaseModel):
    """One alert occurrence."""

    id: int
    source: str
    fingerprint: str
    occurrence: int
    previous_id: int | None
    status: str
    name: str
    labels: dict[str, Any]
    annotations: dict[str, Any]
    starts_at: datetime
    ends_at: datetime | None
    first_seen_at: datetime
    last_seen_at: datetime
    deliveries: int
    group_id: int
    incident_number: int | None
    generator_url: str | None
    silence_url: str | None
    dashboard_url: str | None

    @classmethod
    def of(cls, view: AlertView) -> "AlertOut":
        """From the service's view."""
        return cls(**view.__dict__)


class TriageOut(BaseModel):
    """What someone decided about a group (declared, attached, declined, acknowledged)."""

    decision: str
    reason: str | None  # declines: noise, duplicate, expected or known
    note: str | None = None  # what the decliner added
    by: str | None
    at: datetime | None


class AlertGroupOut(BaseModel):
    """An alert group, with its alert counts."""

    id: int
    source: str
    group_key: str
    service: str | None
    status: str
    severity: str | None
    incident_number: int | None
    triage: TriageOut | None
    truncated_alerts: int
    notification_reason: str | None
    external_url: str | None
    title: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    alert_count: int
    firing_count: int

    @classmethod
    def fields_of(cls, view: AlertGroupView) -> dict[str, Any]:
        """The fields from the service's view."""
        fields = {name: getattr(view, name) for name in cls.model_fields if name != "triage"}
        triage = None
        if view.decision is not None:
            triage = TriageOut(
                decision=view.decision,
                reason=view.decision_reason,
                note=view.decision_note,
                by=view.decided_by,
                at=view.decided_at,
            )
        return {**fields, "triage": triage}


class AlertGroupDetailOut(AlertGroupOut):
    """One alert group with its alerts."""

    alerts: list[AlertOut]


_INTAKE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": AlertErrorOut, "description": "The body is wrong; `field` names where. Nothing was stored."},
    401: {"model": AlertErrorOut, "description": "Missing or wrong token or signature, or no secret configured."},
    404: {"model": AlertErrorOut, "description": "No alert source of that name in the policy."},
    405: {"model": AlertErrorOut, "description": "PUT to a source that is not Grafana."},
    413: {"model": AlertErrorOut, "description": "The body is above 1 MiB."},
    503: {"model": AlertErrorOut, "description": "The store failed; nothing was stored. Retry."},
}


# What the policy accepts as a source name, so the document says what a valid URL is.
SourceName = Annotated[str, Path(pattern=SOURCE_NAME_PATTERN, description="An alert source's name in the policy")]


def build_alert_intake_router(runtime: Runtime) -> APIRouter:
    """`POST /api/v1/alerts/{source}` (and PUT, for Grafana), authenticated per source, not by the API token."""
    router = APIRouter(tags=["alerts"])
    ctx = runtime.ctx

    path = "/api/v1/alerts/{source}"

    @router.post(path, responses=_INTAKE_ERRORS, response_model=IngestOut)
    async def receive_alerts(source: SourceName, request: Request) -> JSONResponse:
        """Receive one webhook request (Alertmanager, Grafana or generic); 200 once it is committed."""
        return await receive(source, request)

    @router.put(path, responses=_INTAKE_ERRORS, response_model=IngestOut)
    async def receive_alerts_put(source: SourceName, request: Request) -> JSONResponse:
        """The same, for a Grafana contact point set to PUT."""
        return await receive(source, request)

    # Any other method: 405 naming both that are taken (without this route, the POST route would answer
    # alone, with `Allow: POST`).
    @router.api_route(path, methods=["GET", "HEAD", "OPTIONS", "PATCH", "DELETE"], include_in_schema=False)
    async def other_methods() -> JSONResponse:
        return JSONResponse({"detail": "Method Not Allowed: send POST (or PUT)."}, 405, {"Allow": "POST, PUT"})

    async def receive(source: str, request: Request) -> JSONResponse:
        configured = ctx.policy.alert_source(source)
        try:
            if configured is None:
                raise Refused(404, f"No alert source {source!r}: declare it under alert_sources in the policy file.")
            if request.method == "PUT" and configured.kind is not AlertKind.GRAFANA:
                raise Refused(405, "Only a grafana source takes PUT; send POST.", headers={"Allow": "POST"})
            check_token(configured, request.headers.get("authorization"))
            body = await read_body(request)
            check_signature(configured, request.headers, body)
            parsed = parse_body(configured.kind, body)
        except Refused as refused:
            return refused.response()
        except AlertPayloadError as exc:
            return Refused(400, exc.message, field=exc.field).response()
        try:
            result = await run_in_threadpool(ingest_alerts, ctx, configured, parsed, then=follow_up(ctx))
        except SQLAlchemyError:
            log.exception("storing alerts from source %s failed; answering 503 so the sender retries", source)
            return Refused(503, "The store failed; nothing was stored. Retry.").response()
        out = IngestOut(
            group_id=result.group_id,
            alerts=len(parsed.alerts),
            new=len(result.new_alert_ids),
            refired=len(result.refired_alert_ids),
            resolved=len(result.resolved_alert_ids),
            repeated=result.repeated,
        )
        return JSONResponse(out.model_dump())

    return router


def _page(response: Response, rows: list[Any], limit: int, link: Callable[[str], str]) -> list[Any]:
    page = rows[:limit]
    if len(rows) > limit:
        next_cursor = str(page[-1].id)
        response.headers["X-Next-Cursor"] = next_cursor
        response.headers["Link"] = f'<{link(next_cursor)}>; rel="next"'
    return page


_NO_SUCH_GROUP: dict[int | str, dict[str, Any]] = {
    404: {**error_responses(404)[404], "description": "There is no such alert group"}
}


def build_alert_reads_router(runtime: Runtime) -> APIRouter:
    """Read endpoints for alerts and alert groups, behind the REST API's bearer token."""

    router = APIRouter(
        prefix="/api/v1",
        dependencies=[Depends(token_check(runtime.settings))],
        responses=error_responses(400, 401, 403),
        tags=["alerts"],
    )
    ctx = runtime.ctx
    limit_query = Annotated[PageSize, Query()]
    cursor_query = Annotated[RowId | None, Query(description="The X-Next-Cursor of the previous page")]

    @router.get("/alerts")
    def alerts(
        response: Response,
        status: Literal["firing", "resolved"] | None = None,
        source: Annotated[str | None, Query(pattern=SOURCE_NAME_PATTERN, description="An alert source's name")] = None,
        limit: limit_query = 50,
        cursor: cursor_query = None,
    ) -> list[AlertOut]:
        """Alert occurrences, newest first; `X-Next-Cursor` (and `Link: rel=next`) when more remain."""
        rows = list_alerts(ctx, status=status, source=source, limit=limit + 1, before_id=cursor)
        query = "".join(f"{k}={v}&" for k, v in (("status", status), ("source", source)) if v)
        page = _page(response, rows, limit, lambda c: f"/api/v1/alerts?{query}limit={limit}&cursor={c}")
        return [AlertOut.of(view) for view in page]

    @router.get("/alert-groups")
    def alert_groups(
        response: Response,
        status: Literal["open", "all"] = "open",
        limit: limit_query = 50,
        cursor: cursor_query = None,
    ) -> list[AlertGroupOut]:
        """Alert groups, newest first, with their alert counts; paged like `/alerts`."""
        rows = list_alert_groups(ctx, open_only=status == "open", limit=limit + 1, before_id=cursor)
        page = _page(response, rows, limit, lambda c: f"/api/v1/alert-groups?status={status}&limit={limit}&cursor={c}")
        return [AlertGroupOut(**AlertGroupOut.fields_of(view)) for view in page]

    @router.get("/alert-groups/{group_id}", responses=_NO_SUCH_GROUP)
    def alert_group(group_id: RowId) -> AlertGroupDetailOut:
        """One alert group with its alerts and its triage decision."""
        try:
            view = get_alert_group(ctx, group_id)
        except AlertGroupNotFound as exc:
            raise HTTPException(404, exc.message) from None
        return AlertGroupDetailOut(**AlertGroupOut.fields_of(view), alerts=[AlertOut.of(a) for a in view.alerts])

    @router.get("/incidents/{number}/alerts", responses=error_responses(404))
    def incident_alerts(number: IncidentNumber) -> list[AlertOut]:
        """The alerts of the groups linked to an incident."""
        return [AlertOut.of(view) for view in alerts_of_incident(ctx, number)]

    return router
