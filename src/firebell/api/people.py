"""The REST API's people: `GET /people/{user}/load`, what a person carried (pages, answers, command). The path is
pinned by issue 16: other tools depend on it."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from firebell.api.params import Rfc3339
from firebell.api.schedules import EARLIEST, LATEST
from firebell.services.context import Context
from firebell.services.people.load import PersonLoad, person_load

USER_ID = r"^[UW][A-Z0-9]{2,20}$"
DEFAULT_SINCE = timedelta(days=30)
UserId = Annotated[str, Path(pattern=USER_ID, description="A Slack user id", examples=["U01ALICE"])]


class NotificationOut(BaseModel):
    """The person was notified of a page at `at` (`outcome`: queued, sent or unreachable)."""

    at: datetime
    incident: int
    page_id: int
    via: str
    outcome: str
    outside_working_hours: bool


class ResponseOut(BaseModel):
    """The person answered a page: acknowledge, cant or escalate."""

    at: datetime
    incident: int
    page_id: int
    kind: str


class CommandOut(BaseModel):
    """The person became the Incident Commander of `incident` at `at`."""

    at: datetime
    incident: int


class CountsOut(BaseModel):
    """How many of each, over the range."""

    notifications: int
    outside_working_hours: int
    acknowledgements: int
    cant: int
    escalations: int
    commander_assignments: int


class LoadOut(BaseModel):
    """A person's load over [since, until). `time_zone` is their Slack time zone; null when Firebell does not
    know it (yet), and working hours are then read in UTC."""

    user: str
    since: datetime
    until: datetime
    time_zone: str | None
    working_hours: str
    counts: CountsOut
    notifications: list[NotificationOut]
    responses: list[ResponseOut]
    commander_assignments: list[CommandOut]

    @classmethod
    def of(cls, load: PersonLoad) -> "LoadOut":
        """From the service's view."""
        return cls(
            user=load.user,
            since=load.since,
            until=load.until,
            time_zone=load.time_zone,
            working_hours=load.working_hours,
            counts=CountsOut(**load.counts),
            notifications=[NotificationOut(**n.__dict__) for n in load.notifications],
            responses=[ResponseOut(**r.__dict__) for r in load.responses],
            commander_assignments=[CommandOut(**c.__dict__) for c in load.commander],
        )


def _bounded(since: datetime) -> datetime:
    """`since` in UTC; a year before 1970 reads as 1970 (nothing is older), one past 2199 as 2199 (nothing
    is that new), so any RFC 3339 moment is a valid start and none overflows the conversion."""
    if since.year < EARLIEST:
        return datetime(EARLIEST, 1, 1, tzinfo=UTC)
    if since.year > LATEST:
        return datetime(LATEST, 1, 1, tzinfo=UTC)
    return since.astimezone(UTC)


def people_router(ctx: Context) -> APIRouter:
    """`/people/{user}/load`."""
    router = APIRouter(tags=["on-call"])

    @router.get("/people/{user}/load")
    async def load(
        user: UserId,
        since: Annotated[
            Rfc3339 | None, Query(description="Start of the range (RFC 3339); default: 30 days ago")
        ] = None,
    ) -> LoadOut:
        """Every page notification of the person (and whether it fell outside their working hours, in their
        Slack time zone), every acknowledgement, "can't" and escalation, every Incident Commander assignment."""

        def answer() -> PersonLoad:
            now = ctx.clock()
            return person_load(ctx, user, now - DEFAULT_SINCE if since is None else _bounded(since))

        return LoadOut.of(await run_in_threadpool(answer))

    return router
