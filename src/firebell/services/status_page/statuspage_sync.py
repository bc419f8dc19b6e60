"""Queueing work for the Atlassian Statuspage bridge, in the transaction of the change that wants it.

A published public update and a maintenance scheduled, cancelled or ended early each queue one STATUSPAGE effect
(only when `status_page.statuspage_io` is configured). The effects of one public incident or maintenance share a
lane, so Statuspage hears them in order: the first creates its incident, the rest update it. The payload carries
our component slugs; they are mapped to Statuspage's ids at delivery (notifiers/statuspage_delivery.py).
"""

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from firebell.domain.policy import Policy
from firebell.services.effects import EffectKind, enqueue
from firebell.store.models import StatusIncident, StatusUpdate

if TYPE_CHECKING:
    from firebell.services.status_page.maintenance import MaintenanceView


def lane_of(kind: str, public_id: str) -> str:
    """One lane per public incident or maintenance: Statuspage hears about it in order."""
    return f"statuspage:{kind}:{public_id}"


def _queue(session: Session, *, kind: str, public_id: str, key: str, now: datetime, payload: dict[str, Any]) -> None:
    enqueue(
        session,
        kind=EffectKind.STATUSPAGE,
        lane=lane_of(kind, public_id),
        key=key,
        now=now,
        payload={"kind": kind, "public_id": public_id, **payload},
        dedupe=True,
    )


def enqueue_update_sync(
    session: Session, policy: Policy, status_incident: StatusIncident, update: StatusUpdate, *, now: datetime
) -> None:
    """Tell Statuspage about a published public update (creating its incident the first time)."""
    if policy.status_page.statuspage_io is None:
        return
    _queue(
        session,
        kind="incident",
        public_id=status_incident.public_id,
        key=f"statuspage:update:{update.id}",
        now=now,
        payload={
            "name": status_incident.title,
            "status": update.status,
            "body": update.body,
            "components": dict(update.components),
        },
    )


def enqueue_maintenance_sync(
    session: Session, policy: Policy, view: "MaintenanceView", *, now: datetime, event: str
) -> None:
    """Tell Statuspage a maintenance was scheduled (`scheduled`), called off (`cancelled`) or ended early
    (`ended`)."""
    if policy.status_page.statuspage_io is None:
        return
    _queue(
        session,
        kind="maintenance",
        public_id=view.public_id,
        key=f"statuspage:maintenance:{view.public_id}:{event}",
        now=now,
        payload={
            "event": event,
            "name": view.title,
            "body": view.body,
            "components": list(view.components),
            "starts_at": view.starts_at.isoformat(),
            "ends_at": view.ends_at.isoformat(),
        },
    )
