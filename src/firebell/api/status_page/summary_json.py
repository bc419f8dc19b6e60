"""`GET /status.json` in the shape of Atlassian Statuspage's `summary.json` (API v2), so existing widgets and
monitors read it: page, status {indicator, description}, components, incidents (unresolved) and
scheduled_maintenances (upcoming or in progress), with Statuspage's field names."""

import json
from datetime import UTC, datetime
from typing import Any

from firebell.domain.status_page.config import slug_of
from firebell.domain.status_page.page import ComponentView, MaintenanceView, StatusPage
from firebell.domain.status_page.sources import PublicIncident
from firebell.domain.status_page.vocabulary import ComponentStatus, MaintenanceStatus

JSON = "application/json"
PAGE_ID = "firebell"


def stamp(moment: datetime | None) -> str | None:
    """Statuspage's timestamps: ISO 8601 with milliseconds, in UTC."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _group_id(name: str) -> str:
    return f"group-{slug_of(name)}"


def _component(page: StatusPage, view: ComponentView) -> dict[str, Any]:
    group = view.component.group
    when = stamp(view.changed_at or page.clock_changed_at)
    return {
        "id": view.component.slug,
        "name": view.component.name,
        "status": view.status.value,
        "created_at": when,
        "updated_at": when,
        "position": view.position,
        "description": view.component.description,
        "showcase": True,
        "start_date": None,
        "group_id": _group_id(group) if group else None,
        "page_id": PAGE_ID,
        "group": False,
        "only_show_if_degraded": False,
    }


def components_json(page: StatusPage) -> list[dict[str, Any]]:
    """Components, and each group as a component with `group: true` listing its members' ids (as Statuspage)."""
    out: list[dict[str, Any]] = []
    position = len(page.components)
    for group in page.groups:
        members = [_component(page, view) for view in group.components]
        if group.name is not None:
            position += 1
            changed = [v.changed_at for v in group.components if v.changed_at is not None]
            when = stamp(max(changed, default=page.clock_changed_at))
            out.append(
                {
                    "id": _group_id(group.name),
                    "name": group.name,
                    "status": group.status.value,
                    "created_at": when,
                    "updated_at": when,
                    "position": position,
                    "description": None,
                    "showcase": False,
                    "start_date": None,
                    "group_id": None,
                    "page_id": PAGE_ID,
                    "group": True,
                    "only_show_if_degraded": False,
                    "components": [m["id"] for m in members],
                }
            )
        out.extend(members)
    return out


def _component_refs(page: StatusPage, slugs: tuple[str, ...]) -> list[dict[str, Any]]:
    views = {v.component.slug: v for v in page.components}
    return [_component(page, views[slug]) for slug in slugs if slug in views]


def incident_json(page: StatusPage, incident: PublicIncident, base: str) -> dict[str, Any]:
    """One incident as Statuspage shapes it, its updates newest first."""
    updates = []
    previous: dict[str, ComponentStatus] = {}
    for update in incident.updates:
        updates.append(
            {
                "id": f"{incident.public_id}-{update.number}",
                "status": update.status.value,
                "body": update.body,
                "incident_id": incident.public_id,
                "created_at": stamp(update.published_at),
                "updated_at": stamp(update.published_at),
                "display_at": stamp(update.published_at),
                "affected_components": [
                    {
                        "code": slug,
                        "name": page.component_name(slug),
                        "old_status": previous.get(slug, ComponentStatus.OPERATIONAL).value,
                        "new_status": status.value,
                    }
                    for slug, status in update.components.items()
                ],
                "deliver_notifications": True,
                "custom_tweet": None,
                "tweet_id": None,
            }
        )
        previous = {**previous, **update.components}
    return {
        "id": incident.public_id,
        "name": incident.title,
        "status": incident.status.value,
        "created_at": stamp(incident.started_at),
        "updated_at": stamp(incident.updated_at),
        "monitoring_at": stamp(incident.monitoring_at),
        "resolved_at": stamp(incident.resolved_at),
        "impact": incident.impact,
        "shortlink": f"{base}/status/incidents/{incident.public_id}",
        "started_at": stamp(incident.started_at),
        "page_id": PAGE_ID,
        "incident_updates": list(reversed(updates)),
        "components": _component_refs(page, incident.component_slugs()),
    }


def maintenance_json(page: StatusPage, view: MaintenanceView, base: str) -> dict[str, Any]:
    """A maintenance window as one of Statuspage's scheduled_maintenances."""
    m = view.maintenance
    shown_at = m.created_at
    return {
        "id": m.public_id,
        "name": m.title,
        "status": view.status.value,
        "created_at": stamp(m.created_at),
        "updated_at": stamp(max(t for t in (m.created_at, m.starts_at, m.effective_end) if t <= page.now)),
        "monitoring_at": None,
        "resolved_at": stamp(m.effective_end) if view.status is MaintenanceStatus.COMPLETED else None,
        "impact": "maintenance",
        "shortlink": f"{base}/status#m-{m.public_id}",
        "started_at": stamp(m.starts_at),
        "page_id": PAGE_ID,
        "incident_updates": [
            {
                "id": f"{m.public_id}-1",
                "status": "scheduled",
                "body": m.body,
                "incident_id": m.public_id,
                "created_at": stamp(shown_at),
                "updated_at": stamp(shown_at),
                "display_at": stamp(shown_at),
                "affected_components": [
                    {
                        "code": slug,
                        "name": page.component_name(slug),
                        "old_status": "operational",
                        "new_status": "under_maintenance",
                    }
                    for slug in m.components
                ],
                "deliver_notifications": True,
                "custom_tweet": None,
                "tweet_id": None,
            }
        ],
        "components": _component_refs(page, m.components),
        "scheduled_for": stamp(m.starts_at),
        "scheduled_until": stamp(m.effective_end),
    }


def summary(page: StatusPage, *, base: str, updated_at: datetime) -> dict[str, Any]:
    """The whole summary.json document."""
    upcoming = page.maintenances_in(MaintenanceStatus.SCHEDULED, MaintenanceStatus.IN_PROGRESS)
    return {
        "page": {
            "id": PAGE_ID,
            "name": page.config.title,
            "url": f"{base}/status",
            "time_zone": page.config.timezone,
            "updated_at": stamp(updated_at),
        },
        "status": {"indicator": page.indicator.value, "description": page.description},
        "components": components_json(page),
        "incidents": [incident_json(page, i, base) for i in page.active_incidents],
        "scheduled_maintenances": [maintenance_json(page, v, base) for v in upcoming],
    }


def render_summary(page: StatusPage, *, base: str, updated_at: datetime) -> bytes:
    """summary.json as bytes (`<`, `>` and `&` escaped as \\u00XX, so it is inert even if sniffed as HTML)."""
    text = json.dumps(summary(page, base=base, updated_at=updated_at), ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode()
