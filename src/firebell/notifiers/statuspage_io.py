"""Atlassian Statuspage's REST API: the requests that create and update its incidents. Pure: no I/O.

A public incident becomes a realtime incident (investigating, identified, monitoring, resolved: the same
vocabulary), each published update one incident update (`body`) with the components' statuses; a maintenance
becomes a scheduled incident (`scheduled`, with `scheduled_for`/`scheduled_until`) that Statuspage starts and
completes on its own, and that is completed early when cancelled here. `metadata.firebell.key` marks each
incident as ours, so a create whose answer was lost is found again instead of made twice.
"""

import json
from typing import Any

from firebell.domain.status_page.statuspage_io import StatuspageIoConfig
from firebell.notifiers.outgoing import USER_AGENT, Outgoing, clip

MAX_NAME = 255  # Statuspage's limit on an incident's name
_CANCELLED_TEXT = {
    "cancelled": "This scheduled maintenance has been cancelled.",
    "ended": "This maintenance has ended early.",
}


def marker(payload: dict[str, Any]) -> str:
    """What marks Statuspage's incident for one of ours: `incident:<public id>` or `maintenance:<public id>`."""
    return f"{payload['kind']}:{payload['public_id']}"


def headers(api_key: str) -> dict[str, str]:
    """Statuspage's API key goes as `Authorization: OAuth <key>`."""
    return {"Authorization": f"OAuth {api_key}", "Content-Type": "application/json", "User-Agent": USER_AGENT}


def incidents_url(config: StatuspageIoConfig, remote_id: str | None = None) -> str:
    """`{api}/v1/pages/{page}/incidents`, or one incident's URL."""
    url = f"{config.api_url}/v1/pages/{config.page_id}/incidents"
    return f"{url}/{remote_id}" if remote_id else url


def incident_document(config: StatuspageIoConfig, payload: dict[str, Any], *, create: bool) -> dict[str, Any]:
    """`{"incident": {...}}` for a STATUSPAGE effect's payload (see services/status_page/statuspage_sync.py)."""
    slugs = list(payload.get("components") or [])
    incident: dict[str, Any] = {"name": clip(str(payload["name"]), MAX_NAME)}
    if payload["kind"] == "incident":
        statuses: dict[str, str] = payload.get("components") or {}
        remote = {config.components[s]: str(statuses[s]) for s in slugs if s in config.components}
        incident |= {
            "status": payload["status"],
            "body": payload["body"],
            "component_ids": list(remote),
            "components": remote,
            "deliver_notifications": True,
        }
    elif payload.get("event", "scheduled") == "scheduled" or create:
        incident |= {
            "status": "scheduled",
            "body": payload["body"],
            "scheduled_for": payload["starts_at"],
            "scheduled_until": payload["ends_at"],
            "component_ids": config.remote_components(slugs),
            "scheduled_auto_in_progress": True,
            "scheduled_auto_completed": True,
            "auto_transition_to_maintenance_state": True,
            "auto_transition_to_operational_state": True,
            "deliver_notifications": True,
        }
    else:
        incident |= {
            "status": "completed",
            "body": _CANCELLED_TEXT.get(str(payload.get("event")), _CANCELLED_TEXT["ended"]),
        }
    if create:
        incident["metadata"] = {"firebell": {"key": marker(payload)}}
    return {"incident": incident}


def create(config: StatuspageIoConfig, payload: dict[str, Any], api_key: str) -> Outgoing:
    """POST a new incident."""
    body = json.dumps(incident_document(config, payload, create=True), ensure_ascii=False).encode()
    return Outgoing("POST", incidents_url(config), headers(api_key), body)


def update(config: StatuspageIoConfig, payload: dict[str, Any], api_key: str, remote_id: str) -> Outgoing:
    """PATCH the incident made earlier."""
    body = json.dumps(incident_document(config, payload, create=False), ensure_ascii=False).encode()
    return Outgoing("PATCH", incidents_url(config, remote_id), headers(api_key), body)


def find_ours(incidents: Any, payload: dict[str, Any]) -> str | None:
    """The id of the incident marked as ours in a list Statuspage returned (None: not there)."""
    if not isinstance(incidents, list):
        return None
    for incident in incidents:
        if not isinstance(incident, dict):
            continue
        meta = (incident.get("metadata") or {}).get("firebell") if isinstance(incident.get("metadata"), dict) else None
        if isinstance(meta, dict) and meta.get("key") == marker(payload) and incident.get("id"):
            return str(incident["id"])
    return None
