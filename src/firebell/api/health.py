"""`/healthz` (liveness: the process answers) and `/readyz` (readiness: it can do its job now)."""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

import firebell
from firebell.api.readiness import SlackAuthProbe, database_check, readiness, scheduler_check, stuck_work_check
from firebell.runtime import Runtime


class LivenessOut(BaseModel):
    """The process is up."""

    status: str
    version: str


class ReadinessOut(BaseModel):
    """Each readiness check's outcome ("ok" or what is wrong); `not_ready` and `detail` when any fails."""

    status: str
    checks: dict[str, str]
    not_ready: list[str] | None = None
    detail: str | None = None


def health_router(runtime: Runtime) -> APIRouter:
    """The liveness and readiness probes (no token: they reveal no incident data)."""
    router = APIRouter(tags=["health"])
    probe = SlackAuthProbe(runtime.client)

    @router.get("/healthz")
    def healthz() -> LivenessOut:
        """Liveness: the process is up and serving HTTP (see /readyz for whether it can do its job)."""
        return LivenessOut(status="ok", version=firebell.__version__)

    def outcomes() -> dict[str, str | None]:
        scheduler = runtime.scheduler
        return {
            "database": database_check(runtime.ctx),
            "slack": probe.check(),
            "scheduler": scheduler_check(
                scheduler.last_tick_at, scheduler.tick_seconds, datetime.now(UTC), scheduler.started_at
            )
            if scheduler.running or scheduler.tick_seconds is None
            else "not running",
            **stuck_work_check(runtime.ctx),
        }

    @router.get(
        "/readyz",
        response_model_exclude_none=True,
        responses={503: {"model": ReadinessOut, "description": "Not ready: `not_ready` names the failing checks"}},
    )
    async def readyz() -> Any:
        """Readiness: the database answers, Slack accepts the bot token, the scheduler ticks, and neither
        the outbox nor the inbox has work stuck."""
        ready, body = readiness(await run_in_threadpool(outcomes))
        return ReadinessOut(**body) if ready else JSONResponse(body, status_code=503)

    return router
