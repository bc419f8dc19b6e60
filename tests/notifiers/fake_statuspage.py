"""A fake of Atlassian Statuspage's REST API over real HTTP, checking each request as the real one does.

`POST /v1/pages/{page_id}/incidents`, `PATCH …/incidents/{id}` and `GET …/incidents`: `Authorization: OAuth <key>`
(401 otherwise), the page id (404), a JSON body `{"incident": {...}}` (400 otherwise), statuses in Statuspage's
vocabulary (realtime: investigating, identified, monitoring, resolved; scheduled: scheduled, in_progress,
verifying, completed) and component statuses too, known component ids, and `scheduled_for`/`scheduled_until` on a
scheduled incident (422 with Statuspage's `{"error": [...]}` otherwise). Incidents keep their updates.

`script` answers the next requests with given statuses before looking at them (an outage); `lose_next` carries
out the next write and then answers 500, as when the answer is lost on the way back.
"""

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

REALTIME = ("investigating", "identified", "monitoring", "resolved")
SCHEDULED = ("scheduled", "in_progress", "verifying", "completed")
COMPONENT_STATUSES = ("operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance")


@dataclass
class FakeStatuspage:
    """One Statuspage page; `incidents` by id, `requests` as (method, path, body or None) in arrival order."""

    page_id: str
    api_key: str
    component_ids: tuple[str, ...]
    incidents: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)
    script: list[int] = field(default_factory=list)
    lose_next: bool = False

    def app(self) -> Starlette:
        base = "/v1/pages/{page_id}/incidents"
        return Starlette(
            routes=[
                Route(base, self._collection, methods=["GET", "POST"]),
                Route(base + "/{incident_id}", self._one, methods=["GET", "PATCH", "PUT"]),
            ]
        )

    async def _collection(self, request: Request) -> Response:
        refused = await self._refused(request)
        if refused is not None:
            return refused
        if request.method == "GET":
            listed = sorted(self.incidents.values(), key=lambda i: i["created_at"], reverse=True)
            return JSONResponse(listed)
        incident, error = await self._incident(request, create=True)
        if error is not None:
            return error
        made: dict[str, Any] = {
            "id": secrets.token_hex(6),
            "page_id": self.page_id,
            "created_at": f"{len(self.incidents):06d}",
            "incident_updates": [],
            "metadata": incident.get("metadata") or {},
        }
        self._apply(made, incident)
        self.incidents[str(made["id"])] = made
        return self._answer(made, 201)

    async def _one(self, request: Request) -> Response:
        refused = await self._refused(request)
        if refused is not None:
            return refused
        found = self.incidents.get(request.path_params["incident_id"])
        if found is None:
            return JSONResponse({"error": "Incident not found"}, status_code=404)
        if request.method == "GET":
            return JSONResponse(found)
        incident, error = await self._incident(request, create=False, current=found)
        if error is not None:
            return error
        self._apply(found, incident)
        return self._answer(found, 200)

    def _answer(self, incident: dict[str, Any], status: int) -> Response:
        if self.lose_next:
            self.lose_next = False
            return JSONResponse({"error": "upstream timeout"}, status_code=500)
        return JSONResponse(incident, status_code=status)

    async def _refused(self, request: Request) -> Response | None:
        body = await request.body()
        self.requests.append((request.method, request.url.path, json.loads(body) if body else None))
        auth = request.headers.get("authorization", "")
        self.authorizations.append(auth)
        if self.script:
            return JSONResponse({"error": "scripted failure"}, status_code=self.script.pop(0))
        if auth != f"OAuth {self.api_key}":
            return JSONResponse({"error": "Could not authenticate"}, status_code=401)
        if request.path_params["page_id"] != self.page_id:
            return JSONResponse({"error": "Page not found"}, status_code=404)
        return None

    async def _incident(
        self, request: Request, *, create: bool, current: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], Response | None]:
        if not request.headers.get("content-type", "").startswith("application/json"):
            return {}, JSONResponse({"error": "Content-Type must be application/json"}, status_code=415)
        try:
            document = json.loads(await request.body())
        except ValueError:
            return {}, JSONResponse({"error": "body is not JSON"}, status_code=400)
        incident = document.get("incident") if isinstance(document, dict) else None
        if not isinstance(incident, dict):
            return {}, JSONResponse({"error": "param is missing or the value is empty: incident"}, status_code=400)
        errors = self._errors(incident, create=create, current=current)
        if errors:
            return {}, JSONResponse({"error": errors}, status_code=422)
        return incident, None

    def _errors(self, incident: dict[str, Any], *, create: bool, current: dict[str, Any] | None) -> list[str]:
        errors = []
        name = incident.get("name", None if create else "kept")
        if not isinstance(name, str) or not name.strip() or len(name) > 255:
            errors.append("Name can't be blank")
        status = incident.get("status", (current or {}).get("status"))
        scheduled = incident.get("scheduled_for", (current or {}).get("scheduled_for"))
        valid = SCHEDULED if scheduled else REALTIME
        if status not in valid:
            errors.append(f"Status is not included in the list ({', '.join(valid)})")
        if status == "scheduled" and not (
            scheduled and incident.get("scheduled_until", (current or {}).get("scheduled_until"))
        ):
            errors.append("Scheduled for and scheduled until are required for a scheduled incident")
        ids = incident.get("component_ids", [])
        if not isinstance(ids, list) or any(i not in self.component_ids for i in ids):
            errors.append("Component ids are not all components of this page")
        components = incident.get("components", {})
        if not isinstance(components, dict) or any(
            k not in self.component_ids or v not in COMPONENT_STATUSES for k, v in components.items()
        ):
            errors.append("Components must map this page's component ids to a component status")
        metadata = incident.get("metadata", {})
        if not isinstance(metadata, dict) or any(not isinstance(v, dict) for v in metadata.values()):
            errors.append("Metadata top level values must be objects")
        return errors

    @staticmethod
    def _apply(target: dict[str, Any], incident: dict[str, Any]) -> None:
        for key in ("name", "status", "scheduled_for", "scheduled_until", "component_ids"):
            if key in incident:
                target[key] = incident[key]
        if "components" in incident:
            target["components"] = {**target.get("components", {}), **incident["components"]}
        if incident.get("body"):
            target["incident_updates"].insert(0, {"status": target["status"], "body": incident["body"]})
