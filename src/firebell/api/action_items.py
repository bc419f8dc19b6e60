"""The REST API's action items: across incidents, per incident, and their completion figures."""

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from firebell.api.errors import error_responses
from firebell.api.params import IncidentNumber, IsoDate
from firebell.domain.action_items import ActionItemView, CompletionStats
from firebell.services.action_items import completion, query_items
from firebell.services.context import Context


def action_items_router(ctx: Context) -> APIRouter:
    """`/action-items`, their completion figures, and `/incidents/{number}/action-items`."""
    router = APIRouter(tags=["action items"])

    @router.get("/incidents/{number}/action-items", responses=error_responses(404))
    def incident_action_items(
        number: Annotated[IncidentNumber, Path(description="The incident's number (INC-n)")],
    ) -> list[ActionItemOut]:
        """An incident's action items."""
        return [ActionItemOut.of(i, today=ctx.clock().date()) for i in query_items(ctx, incident_number=number)]

    @router.get("/action-items")
    def action_items(
        status: Literal["open", "done", "overdue"] | None = None,
        owner: Annotated[str | None, Query(description="A Slack user id")] = None,
    ) -> list[ActionItemOut]:
        """Action items across incidents, by status (open, done, overdue) and owner (a Slack user id)."""
        today = ctx.clock().date()
        return [ActionItemOut.of(i, today=today) for i in query_items(ctx, status=status, owner=owner)]

    @router.get("/action-items/completion")
    def action_item_completion(
        period: Literal["week", "month"] = "month",
        since: Annotated[IsoDate | None, Query(description="Only items created on or after this date")] = None,
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
