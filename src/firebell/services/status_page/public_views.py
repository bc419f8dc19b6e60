"""What the Slack side reads about an incident's public updates: the form's starting point, one update (for a
button pressed on its message), the public cadence's state (for a queued reminder), and the prompt to publish a
resolved update when an incident is resolved while its public incident is not."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from firebell.domain.incident import IncidentSnapshot
from firebell.domain.status_page.vocabulary import ComponentStatus, PublicStatus
from firebell.services.changes import Change
from firebell.services.context import Context
from firebell.services.effects import EffectKind
from firebell.services.incidents import load_by_channel, load_by_number, snapshot
from firebell.services.status_page.publishing import status_incident_of
from firebell.store.models import Incident, StatusIncident, StatusUpdate


@dataclass(frozen=True)
class PublicState:
    """Where an incident stands publicly, for prefilling the public update form."""

    incident: IncidentSnapshot
    public_id: str | None  # None: nothing drafted yet (the form asks for a public title)
    title: str | None
    status: PublicStatus | None  # of the latest published update; None: nothing published yet
    published: bool
    components: dict[str, ComponentStatus]  # of the latest published update


def public_state(ctx: Context, *, channel_id: str | None = None, number: int | None = None) -> PublicState:
    """The incident of a war room (or by number) and its public incident, if any."""
    with ctx.db.read() as session:
        if channel_id is not None:
            incident = load_by_channel(session, channel_id)
        else:
            assert number is not None
            incident = load_by_number(session, number)
        status_incident = status_incident_of(session, incident.id)
        components: dict[str, ComponentStatus] = {}
        if status_incident is None:
            return PublicState(snapshot(incident), None, None, None, False, components)
        latest = session.scalar(
            select(StatusUpdate)
            .where(StatusUpdate.status_incident_id == status_incident.id, StatusUpdate.state == "published")
            .order_by(StatusUpdate.published_at.desc(), StatusUpdate.id.desc())
            .limit(1)
        )
        if latest is not None:
            components = {slug: ComponentStatus(value) for slug, value in latest.components.items()}
        published = status_incident.published_at is not None
        return PublicState(
            incident=snapshot(incident),
            public_id=status_incident.public_id,
            title=status_incident.title,
            status=PublicStatus(status_incident.status) if published else None,
            published=published,
            components=components,
        )


@dataclass(frozen=True)
class UpdateCard:
    """One public update as its war-room message shows it, with the incident it belongs to."""

    incident_number: int
    channel_id: str | None
    card: dict[str, Any]  # the same shape as the drafted/published notices' payload


def update_card(ctx: Context, update_id: int) -> UpdateCard | None:
    """A public update by id (None: there is no such update)."""
    with ctx.db.read() as session:
        found = session.execute(
            select(StatusUpdate, StatusIncident, Incident.number, Incident.channel_id)
            .join(StatusIncident, StatusIncident.id == StatusUpdate.status_incident_id)
            .join(Incident, Incident.id == StatusIncident.incident_id)
            .where(StatusUpdate.id == update_id)
        ).first()
        if found is None:
            return None
        row, status_incident, number, channel_id = found
        card = {
            "update_id": row.id,
            "public_id": status_incident.public_id,
            "title": status_incident.title,
            "state": row.state,
            "status": row.status,
            "body": row.body,
            "components": dict(row.components),
            "drafted_by": row.drafted_by,
            "decided_by": row.decided_by,
            "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        }
        return UpdateCard(incident_number=int(number), channel_id=channel_id, card=card)


@dataclass(frozen=True)
class CadenceState:
    """A public incident's cadence now, for a queued reminder to tell whether it is still due."""

    resolved: bool
    misses: int
    last_published_at: datetime


def cadence_state(ctx: Context, status_incident_id: int) -> CadenceState | None:
    """The public cadence of one status incident (None: it is gone)."""
    with ctx.db.read() as session:
        row = session.get(StatusIncident, status_incident_id)
        if row is None:
            return None
        return CadenceState(
            resolved=row.resolved_at is not None, misses=row.reminder_misses, last_published_at=row.updated_at
        )


def offer_public_resolve(change: Change) -> None:
    """Resolving an incident whose public incident is unresolved: ask the war room for a resolved update."""
    status_incident = status_incident_of(change.session, change.incident.id)
    if status_incident is None or status_incident.published_at is None or status_incident.resolved_at is not None:
        return
    change.enqueue(
        EffectKind.POST_NOTICE,
        "room",
        key=f"inc:{change.incident.id}:public-resolve:{int(change.now.timestamp() * 1_000_000)}",
        payload={
            "notice": "public_resolve_due",
            "target": "room",
            "number": change.incident.number,
            "public_id": status_incident.public_id,
            "public_status": status_incident.status,
        },
    )
