"""The REST API (`/api/v1`): every route behind the bearer token, every error response declared."""

from fastapi import APIRouter, Depends

from firebell.api.action_items import action_items_router
from firebell.api.auth import token_check
from firebell.api.errors import error_responses
from firebell.api.incidents import incidents_router
from firebell.api.maintenance import maintenance_router
from firebell.api.pages import pages_router
from firebell.api.people import people_router
from firebell.api.schedules import schedules_router
from firebell.api.status_maintenances import status_maintenances_router
from firebell.runtime import Runtime


def build_router(runtime: Runtime) -> APIRouter:
    """The `/api/v1` routes; every one requires `Authorization: Bearer <FIREBELL_API_TOKEN>`."""
    router = APIRouter(
        prefix="/api/v1",
        dependencies=[Depends(token_check(runtime.settings))],
        responses=error_responses(400, 401, 403),
    )
    router.include_router(incidents_router(runtime.ctx))
    router.include_router(action_items_router(runtime.ctx))
    router.include_router(schedules_router(runtime.ctx))
    router.include_router(pages_router(runtime.ctx))
    router.include_router(people_router(runtime.ctx))
    router.include_router(maintenance_router(runtime.ctx))
    router.include_router(status_maintenances_router(runtime.ctx))
    return router
