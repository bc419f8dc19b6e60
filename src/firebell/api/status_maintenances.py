"""The REST API's scheduled maintenance of status-page components: list, schedule, and cancel (or end early).

`/incident maintenance` does the same from Slack. A maintenance's status follows the clock: scheduled before its
start, in progress inside its window, completed after it (or once cancelled).
"""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from firebell.api.errors import error_responses
from firebell.api.params import Rfc3339
from firebell.api.schedules import Person, _actor, _utc
from firebell.domain.status_page.maintenance import MAX_BODY, MAX_TITLE
from firebell.domain.status_page.vocabulary import MaintenanceStatus
from firebell.services.context import Context
from firebell.services.status_page.maintenance import (
    MaintenanceNotFound,
    MaintenanceView,
    NoComponents,
    cancel_maintenance,
    list_maintenances,
    require_components,
    schedule_maintenance,
)

T = TypeVar("T")
PATH = "/status/maintenances"
PUBLIC_ID = r"^[a-z0-9]{1,16}$"
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {**error_responses(404)[404], "description": "There is no maintenance with that id"}
}
_NO_COMPONENTS: dict[int | str, dict[str, Any]] = {
    404: {**error_responses(404)[404], "description": "The status page has no components (status_page.components)"}
}
MaintenanceId = Annotated[
    str, Path(pattern=PUBLIC_ID, description="The maintenance's id, as listed", examples=["k7m2q9x4c8hp"])
]


class MaintenanceIn(BaseModel):
    """Schedule maintenance of status-page components over [start, end)."""

    title: str = Field(min_length=1, max_length=MAX_TITLE, description="What customers will notice, on one line")
    body: str = Field(min_length=1, max_length=MAX_BODY, description="What happens and what customers may notice")
    components: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(
        min_length=1, max_length=50, description="Components by slug or name (status_page.components)"
    )
    start: Rfc3339 = Field(description="When it starts (RFC 3339)")
    end: Rfc3339 = Field(description="When it ends (RFC 3339); after start, at most 7 days later, not in the past")
    by: Person | None = Field(default=None, description="Who schedules it (a Slack user id); default: api")


class MaintenanceOut(BaseModel):
    """A maintenance as recorded, with its status now."""

    id: str
    title: str
    body: str
    components: list[str]
    start: datetime
    end: datetime
    status: MaintenanceStatus
    created_by: str
    created_at: datetime
    cancelled_by: str | None
    cancelled_at: datetime | None

    @classmethod
    def of(cls, view: MaintenanceView) -> "MaintenanceOut":
        """From the service's view."""
        return cls(
            id=view.public_id,
            title=view.title,
            body=view.body,
            components=list(view.components),
            start=view.starts_at,
            end=view.ends_at,
            status=view.status,
            created_by=view.created_by,
            created_at=view.created_at,
            cancelled_by=view.cancelled_by,
            cancelled_at=view.cancelled_at,
        )


def _not_allowed(allowed: str) -> Callable[[], Any]:
    async def other_methods() -> JSONResponse:
        return JSONResponse({"detail": f"Method Not Allowed: send {allowed}."}, 405, {"Allow": allowed})

    return other_methods


def status_maintenances_router(ctx: Context) -> APIRouter:
    """`GET|POST /status/maintenances` and `DELETE /status/maintenances/{id}`."""
    router = APIRouter(tags=["status page"])

    async def run(call: Callable[[], T]) -> T:
        try:
            return await run_in_threadpool(call)
        except (MaintenanceNotFound, NoComponents) as exc:
            raise HTTPException(404, exc.message) from None

    @router.get(PATH)
    async def maintenances(
        state: Annotated[
            Literal["upcoming", "all"],
            Query(description="upcoming: scheduled or in progress; all: also completed and cancelled (newest first)"),
        ] = "upcoming",
    ) -> list[MaintenanceOut]:
        """Scheduled maintenance of status-page components."""
        views = await run(lambda: list_maintenances(ctx, everything=state == "all"))
        return [MaintenanceOut.of(v) for v in views]

    @router.post(PATH, status_code=201, responses=_NO_COMPONENTS)
    async def schedule(body: MaintenanceIn) -> MaintenanceOut:
        """Schedule maintenance; refused (400, nothing recorded) when a component is not configured (the answer
        names the valid ones), the end is not after the start, it lies in the past, lasts more than 7 days, or the
        title or text is blank; 404 when the status page has no components at all."""

        def answer() -> MaintenanceView:
            require_components(ctx.policy)  # before the times are judged: without components, nothing can be
            return schedule_maintenance(
                ctx,
                components=body.components,
                starts_at=_utc(body.start, "start"),
                ends_at=_utc(body.end, "end"),
                title=body.title,
                body=body.body,
                by=_actor(body.by),
            )

        return MaintenanceOut.of(await run(answer))

    @router.delete(f"{PATH}/{{public_id}}", responses=_NOT_FOUND)
    async def cancel(
        public_id: MaintenanceId,
        by: Annotated[Person | None, Query(description="Who cancels it (a Slack user id); default: api")] = None,
    ) -> MaintenanceOut:
        """Call off a scheduled maintenance, or end one in progress now (kept, with who and when); 400 when it is
        over already."""
        return MaintenanceOut.of(await run(lambda: cancel_maintenance(ctx, public_id, by=_actor(by))))

    # Any other method: 405 naming those taken (otherwise one route would answer alone with a narrower Allow).
    others = ["HEAD", "OPTIONS", "PATCH", "PUT"]
    router.add_api_route(PATH, _not_allowed("GET, POST"), methods=[*others, "DELETE"], include_in_schema=False)
    router.add_api_route(
        f"{PATH}/{{public_id}}", _not_allowed("DELETE"), methods=[*others, "GET", "POST"], include_in_schema=False
    )
    return router
