"""The REST API's pages: `GET /api/v1/pages?incident=<number>` (the name is pinned by issue 16)."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from firebell.api.errors import error_responses
from firebell.api.params import IncidentNumber, PageSize
from firebell.domain.errors import IncidentNotFound
from firebell.services.context import Context
from firebell.services.paging.queries import PageView, list_pages


class NotificationOut(BaseModel):
    """One person told of the page at one step."""

    user: str
    at: datetime
    round: int
    step: int
    via: str
    outcome: Literal["queued", "sent", "unreachable"]


class ResponseOut(BaseModel):
    """Someone answered the page."""

    user: str
    kind: Literal["acknowledge", "cant", "escalate"]
    at: datetime


class PageOut(BaseModel):
    """A page: what it aims at, where it stands in its escalation (round and step from 1), and its record."""

    id: int
    incident: int
    target: str
    service: str | None
    escalation_policy: str | None
    reason: str | None
    paged_by: str | None
    created_at: datetime
    status: Literal["active", "acknowledged", "exhausted", "cancelled"]
    round: int
    step: int
    next_escalation_at: datetime | None
    held_until: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    ended_at: datetime | None
    notifications: list[NotificationOut]
    responses: list[ResponseOut]

    @classmethod
    def of(cls, view: PageView) -> "PageOut":
        """From the use case's view."""
        return cls(
            id=view.id,
            incident=view.incident,
            target=view.target,
            service=view.service,
            escalation_policy=view.escalation_policy,
            reason=view.reason,
            paged_by=view.paged_by,
            created_at=view.created_at,
            status=view.status.value,
            round=view.round,
            step=view.step,
            next_escalation_at=view.next_escalation_at,
            held_until=view.held_until,
            acknowledged_at=view.acknowledged_at,
            acknowledged_by=view.acknowledged_by,
            ended_at=view.ended_at,
            notifications=[NotificationOut(**n.__dict__) for n in view.notifications],
            responses=[ResponseOut(**r.__dict__) for r in view.responses],
        )


def pages_router(ctx: Context) -> APIRouter:
    """`/pages`."""
    router = APIRouter(tags=["paging"])

    @router.get("/pages", responses=error_responses(404))
    async def pages(
        incident: Annotated[IncidentNumber | None, Query(description="An incident's number: all its pages")] = None,
        limit: Annotated[PageSize, Query(description="At most this many pages")] = 100,
    ) -> list[PageOut]:
        """The pages of an incident, oldest first; without `incident`, the pages still escalating or unanswered."""
        try:
            views = await run_in_threadpool(lambda: list_pages(ctx, incident=incident, limit=limit))
        except IncidentNotFound as exc:
            raise HTTPException(404, exc.message) from None
        return [PageOut.of(v) for v in views]

    return router
