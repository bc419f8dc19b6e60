"""The REST API's on-call schedules: the schedules, who is on call at an instant, the shifts over a range, and
overrides (list, add, remove). Names are pinned by issue 16: other tools depend on them."""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema
from starlette.concurrency import run_in_threadpool

from firebell.api.errors import error_responses
from firebell.api.params import Rfc3339, RowId
from firebell.domain.errors import UsageError
from firebell.domain.oncall.config import NAME_PATTERN, ScheduleConfig
from firebell.services.context import Context
from firebell.services.oncall.answers import (
    OnCallView,
    ScheduleNotFound,
    ShiftView,
    on_call,
    schedule_config,
    shifts_between,
)
from firebell.services.oncall.overrides import (
    OverrideNotFound,
    OverrideView,
    add_override,
    list_overrides,
    person,
    remove_override,
)

EARLIEST, LATEST = 1970, 2199  # years an instant may be in: the rotation arithmetic looks months around it
T = TypeVar("T")
# A Slack user id or an e-mail address, as the policy's members; the pattern tells the document's readers.
PERSON = r"^(?:[UW][A-Z0-9]{2,20}|[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8})$"


def _person(value: object) -> object:
    if isinstance(value, str) and re.fullmatch(PERSON, value):
        return value
    shown = value if not isinstance(value, str) or len(value) <= 60 else f"{value[:60]}…"
    raise ValueError(f"expected a Slack user id like U01ALICE or an e-mail address, got {shown!r}")


Person = Annotated[str, BeforeValidator(_person), WithJsonSchema({"type": "string", "pattern": PERSON})]
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {**error_responses(404)[404], "description": "There is no such schedule (or override on it)"}
}
ScheduleName = Annotated[
    str, Path(pattern=NAME_PATTERN, description="A schedule's name in the policy file", examples=["checkout-primary"])
]


class LayerOut(BaseModel):
    """A rotation layer as the policy file has it."""

    members: list[str]
    rotate_every: str
    handoff: str
    start: str | None  # None: a layer of one member, always their turn
    only: str | None


class ScheduleOut(BaseModel):
    """A schedule as the policy file has it: its layers, first first."""

    name: str
    time_zone: str
    layers: list[LayerOut]

    @classmethod
    def of(cls, config: ScheduleConfig) -> "ScheduleOut":
        """From the policy."""
        layers = [
            LayerOut(
                members=list(layer.members),
                rotate_every=layer.rotate_every,
                handoff=layer.handoff,
                start=layer.start.isoformat() if layer.start else None,
                only=layer.only,
            )
            for layer in config.layers
        ]
        return cls(name=config.name, time_zone=config.time_zone, layers=layers)


class OnCallOut(BaseModel):
    """Who is on call at `at` (Slack user ids, or e-mails as the policy writes them), and until when."""

    schedule: str
    at: datetime
    users: list[str]
    until: datetime | None

    @classmethod
    def of(cls, view: OnCallView) -> "OnCallOut":
        """From the service's view."""
        return cls(schedule=view.schedule, at=view.at, users=list(view.users), until=view.until)


class ShiftOut(BaseModel):
    """[start, end) and who is on call; `override` when overrides put them there (`override_ids`);
    `temporary_id` when a temporary schedule (`/oncall temporary`) replaces the rotation there."""

    start: datetime
    end: datetime
    users: list[str]
    override: bool
    override_ids: list[int]
    temporary_id: int | None = None

    @classmethod
    def of(cls, view: ShiftView) -> "ShiftOut":
        """From the service's view."""
        ids = list(view.override_ids)
        return cls(
            start=view.start,
            end=view.end,
            users=list(view.users),
            override=bool(ids),
            override_ids=ids,
            temporary_id=view.temporary_id,
        )


class OverrideIn(BaseModel):
    """Put `user` on call over [start, end) instead of the rotation."""

    user: Person = Field(description="A Slack user id (U01ALICE) or an e-mail address")
    start: Rfc3339
    end: Rfc3339
    by: Person | None = Field(default=None, description="Who makes it (a Slack user id); default: api")


class OverrideOut(BaseModel):
    """An override as recorded, with who made it and, once removed, who removed it."""

    id: int
    schedule: str
    user: str
    start: datetime
    end: datetime
    created_by: str
    created_at: datetime
    removed_by: str | None
    removed_at: datetime | None

    @classmethod
    def of(cls, view: OverrideView) -> "OverrideOut":
        """From the service's view."""
        return cls(**view.__dict__)


def _utc(moment: datetime, name: str) -> datetime:
    if not EARLIEST <= moment.year <= LATEST:
        raise UsageError(f"Invalid {name!r}: the year must be between {EARLIEST} and {LATEST}, got {moment.year}.")
    return moment.astimezone(UTC)


def _actor(by: str | None) -> str:
    return "api" if by is None else person(by, "by")


def schedules_router(ctx: Context) -> APIRouter:
    """`/schedules`, `/schedules/{name}/oncall`, `/schedules/{name}/shifts` and `/schedules/{name}/overrides`.

    An unknown schedule is a 404 before anything else about the request is judged."""
    router = APIRouter(tags=["on-call"])

    async def run(name: str, call: Callable[[], T]) -> T:
        def checked() -> T:
            schedule_config(ctx, name)
            return call()

        try:
            return await run_in_threadpool(checked)
        except (ScheduleNotFound, OverrideNotFound) as exc:
            raise HTTPException(404, exc.message) from None

    @router.get("/schedules")
    def schedules() -> list[ScheduleOut]:
        """The on-call schedules in the policy file."""
        return [ScheduleOut.of(s) for s in ctx.policy.schedules]

    @router.get("/schedules/{name}/oncall", responses=_NOT_FOUND)
    async def oncall(
        name: ScheduleName,
        at: Annotated[Rfc3339 | None, Query(description="The instant (RFC 3339); default: now")] = None,
    ) -> OnCallOut:
        """Who is on call for the schedule at `at`, and until when (null: not within the next 100 days)."""
        view = await run(name, lambda: on_call(ctx, name, ctx.clock() if at is None else _utc(at, "at")))
        return OnCallOut.of(view)

    @router.get("/schedules/{name}/shifts", responses=_NOT_FOUND)
    async def shifts(
        name: ScheduleName,
        from_: Annotated[Rfc3339, Query(alias="from", description="Start of the range (RFC 3339)")],
        to: Annotated[Rfc3339, Query(description="End of the range (RFC 3339), at most 366 days after 'from'")],
    ) -> list[ShiftOut]:
        """Who is on call over [from, to), shift by shift, overrides marked."""
        views = await run(name, lambda: shifts_between(ctx, name, _utc(from_, "from"), _utc(to, "to")))
        return [ShiftOut.of(v) for v in views]

    @router.get("/schedules/{name}/overrides", responses=_NOT_FOUND)
    async def overrides(
        name: ScheduleName,
        state: Annotated[
            Literal["active", "all"], Query(description="active: not ended nor removed; all: also past and removed")
        ] = "active",
    ) -> list[OverrideOut]:
        """The schedule's overrides."""
        views = await run(name, lambda: list_overrides(ctx, name, everything=state == "all"))
        return [OverrideOut.of(v) for v in views]

    @router.post("/schedules/{name}/overrides", status_code=201, responses=_NOT_FOUND)
    async def create_override(name: ScheduleName, body: OverrideIn) -> OverrideOut:
        """Add an override; refused (400) when it ends before it starts, lies in the past, or overlaps an
        override of the same person on this schedule."""

        def answer() -> OverrideView:
            start, end = _utc(body.start, "start"), _utc(body.end, "end")
            return add_override(ctx, name, body.user, start, end, by=_actor(body.by))

        return OverrideOut.of(await run(name, answer))

    # Any other method on the overrides: 405 naming both that are taken (otherwise the GET route would answer
    # alone, with `Allow: GET`).
    @router.api_route(
        "/schedules/{name}/overrides", methods=["HEAD", "OPTIONS", "PATCH", "PUT", "DELETE"], include_in_schema=False
    )
    async def other_methods() -> JSONResponse:
        return JSONResponse({"detail": "Method Not Allowed: send GET or POST."}, 405, {"Allow": "GET, POST"})

    @router.delete("/schedules/{name}/overrides/{override_id}", responses=_NOT_FOUND)
    async def delete_override(
        name: ScheduleName,
        override_id: RowId,
        by: Annotated[Person | None, Query(description="Who removes it (a Slack user id)")] = None,
    ) -> OverrideOut:
        """Remove an override: it stops applying, and stays on record with who removed it and when."""
        view = await run(name, lambda: remove_override(ctx, name, override_id, by=_actor(by)))
        return OverrideOut.of(view)

    return router
