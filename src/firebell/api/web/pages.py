"""The web view's pages: `/incidents` (filtered, paginated) and `/incidents/{number}`, and their stylesheet."""

from importlib import resources
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response

from firebell.api.web.access import Viewer, WebAccess
from firebell.api.web.headers import SecuredRoute
from firebell.api.web.list_filters import STATUS_CHOICES, ListQuery, read_list_query
from firebell.api.web.rendering import render
from firebell.domain.errors import IncidentNotFound
from firebell.domain.naming import incident_label
from firebell.services.context import Context
from firebell.services.incident_record import incident_record
from firebell.services.incident_search import search_incidents
from firebell.services.people.names import names_for

PAGE_SIZE = 50
STYLESHEET = resources.files("firebell.api.web").joinpath("static", "web.css").read_bytes()


def _older_link(query: ListQuery, last_number: int) -> str:
    kept = {name: value for name, value in query.values.items() if value and name != "before"}
    return "/incidents?" + urlencode({**kept, "before": last_number})


def pages_router(ctx: Context, access: WebAccess) -> APIRouter:
    """The incident list and each incident's page, read-only."""
    router = APIRouter(route_class=SecuredRoute, include_in_schema=False)

    @router.get("/incidents/static/web.css")
    def stylesheet() -> Response:
        return Response(STYLESHEET, media_type="text/css; charset=utf-8", headers={"Cache-Control": "max-age=3600"})

    @router.get("/incidents")
    def incidents(request: Request) -> Response:
        viewer = access.viewer(request)
        if not isinstance(viewer, Viewer):
            return viewer
        query = read_list_query(request.query_params, ctx.policy)
        common: dict[str, Any] = {
            "viewer": viewer,
            "statuses": list(STATUS_CHOICES),
            "severities": ctx.policy.severity_names,
            "services": [service.name for service in ctx.policy.services],
        }
        if not isinstance(query, ListQuery):
            values = {
                name: request.query_params.get(name, "") for name in ("status", "severity", "service", "from", "to")
            }
            return render("incidents.html", status=400, problems=query, rows=[], values=values, older=None, **common)
        rows = search_incidents(ctx, query.where, limit=PAGE_SIZE + 1, before_number=query.before)
        page = rows[:PAGE_SIZE]
        older = _older_link(query, page[-1].number) if len(rows) > PAGE_SIZE else None
        newest = None
        if query.before is not None:
            newest = "/incidents?" + urlencode({k: v for k, v in query.values.items() if v and k != "before"})
        with ctx.db.read() as session:
            names = names_for(session, {row.commander for row in page if row.commander})
        return render(
            "incidents.html",
            problems=[],
            rows=page,
            values=query.values,
            older=older,
            newest=newest,
            who=lambda user: names.get(user, user),
            **common,
        )

    @router.get("/incidents/{number}")
    def incident(request: Request, number: str) -> Response:
        viewer = access.viewer(request)
        if not isinstance(viewer, Viewer):
            return viewer
        wanted = number.upper().removeprefix("INC-")
        if not wanted.isdigit() or not 0 < int(wanted) < 2**31:
            lines = [f"`{number[:40]}` is not an incident number: use a number such as 42 (or INC-42)."]
            return render("message.html", status=404, title="Not found", lines=lines, viewer=viewer)
        try:
            record = incident_record(ctx, int(wanted))
        except IncidentNotFound:
            lines = [f"There is no {incident_label(int(wanted))}.", "The list of incidents is at /incidents."]
            return render("message.html", status=404, title="Not found", lines=lines, viewer=viewer)
        person = record.names.get
        return render(
            "incident.html", viewer=viewer, record=record, incident=record.incident, who=lambda u: person(u, u)
        )

    return router
