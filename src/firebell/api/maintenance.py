"""The REST API's maintenance windows of services: list them, and put a service in maintenance (nobody is paged
for it until the window ends). `/oncall maintenance` does the same from Slack."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from firebell.api.errors import error_responses
from firebell.api.params import Rfc3339
from firebell.api.schedules import Person, _actor, _utc
from firebell.domain.oncall.config import NAME_PATTERN
from firebell.services.context import Context
from firebell.services.oncall.maintenance import (
    ServiceNotFound,
    WindowView,
    list_maintenance,
    service_config,
    start_maintenance,
)
from firebell.store.models import MaintenanceWindow

T = TypeVar("T")
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {**error_responses(404)[404], "description": "There is no such service in the policy file"}
}
ServiceName = Annotated[
    str, Path(pattern=NAME_PATTERN, description="A service's name in the policy file", examples=["checkout"])
]


class WindowIn(BaseModel):
    """Put the service in maintenance over [start, end); `start` defaults to now."""

    start: Rfc3339 | None = Field(default=None, description="When it starts (RFC 3339); default: now")
    end: Rfc3339
    by: Person | None = Field(default=None, description="Who makes it (a Slack user id); default: api")


class WindowOut(BaseModel):
    """A maintenance window as recorded; `end` is when it ends (or ended, when ended early from Slack)."""

    id: int
    service: str
    start: datetime
    end: datetime
    planned_end: datetime
    created_by: str
    created_at: datetime
    ended_by: str | None
    ended_at: datetime | None

    @classmethod
    def of(cls, view: WindowView) -> "WindowOut":
        """From the service's view."""
        return cls(**view.__dict__)


def _all_windows(ctx: Context, service: str) -> list[WindowView]:
    query = select(MaintenanceWindow).where(MaintenanceWindow.service == service).order_by(MaintenanceWindow.id)
    with ctx.db.read() as session:
        return [WindowView.of(r) for r in session.scalars(query)]


def maintenance_router(ctx: Context) -> APIRouter:
    """`GET|POST /services/{name}/maintenance`. An unknown service is a 404 before anything else is judged."""
    router = APIRouter(tags=["on-call"])

    async def run(name: str, call: Callable[[], T]) -> T:
        def checked() -> T:
            service_config(ctx, name)
            return call()

        try:
            return await run_in_threadpool(checked)
        except ServiceNotFound as exc:
            raise HTTPException(404, exc.message) from None

    @router.get("/services/{name}/maintenance", responses=_NOT_FOUND)
    async def windows(
        name: ServiceName,
        state: Annotated[
            Literal["active", "all"], Query(description="active: open or planned; all: also ended ones")
        ] = "active",
    ) -> list[WindowOut]:
        """The service's maintenance windows."""
        views = await run(name, lambda: list_maintenance(ctx, name) if state == "active" else _all_windows(ctx, name))
        return [WindowOut.of(v) for v in views]

    @router.post("/services/{name}/maintenance", status_code=201, responses=_NOT_FOUND)
    async def create_window(name: ServiceName, body: WindowIn) -> WindowOut:
        """Put the service in maintenance; refused (400) when the window ends before it starts, lies in the past
        or lasts more than 30 days."""

        def answer() -> WindowView:
            start = ctx.clock().astimezone(UTC) if body.start is None else _utc(body.start, "start")
            return start_maintenance(ctx, name, start, _utc(body.end, "end"), by=_actor(body.by))

        return WindowOut.of(await run(name, answer))

    # Any other method: 405 naming both that are taken (otherwise the GET route would answer alone, `Allow: GET`).
    @router.api_route(
        "/services/{name}/maintenance", methods=["HEAD", "OPTIONS", "PATCH", "PUT", "DELETE"], include_in_schema=False
    )
    async def other_methods() -> JSONResponse:
        return JSONResponse({"detail": "Method Not Allowed: send GET or POST."}, 405, {"Allow": "GET, POST"})

    return router
