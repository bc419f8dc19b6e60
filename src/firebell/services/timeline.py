"""The one function that writes timeline events, and the queries that read them."""

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from firebell.domain.timeline import EventKind, TimelineEntry
from firebell.store.inserts import insert_once
from firebell.store.models import Incident, TimelineEvent


def record_event(
    session: Session,
    incident: Incident,
    *,
    kind: EventKind,
    at: datetime,
    actor: str | None,
    text: str,
    data: dict[str, Any] | None = None,
    source_key: str | None = None,
) -> TimelineEvent | None:
    """Append an event to an incident's timeline; with a source_key, a second copy is ignored (None)."""
    event = TimelineEvent(
        incident_id=incident.id,
        at=at,
        kind=kind.value,
        actor=actor,
        text=text,
        data=data or None,
        source_key=source_key,
    )
    if source_key is None:
        session.add(event)
        session.flush()
        return event
    return insert_once(
        session,
        event,
        existing=select(TimelineEvent.id).where(
            TimelineEvent.incident_id == incident.id, TimelineEvent.source_key == source_key
        ),
    )


def record_events(session: Session, events: list[dict[str, Any]]) -> None:
    """Append many events in one statement; each dict has incident_id, kind, at, text and optionally
    actor and data (the scheduler's batches of reminders)."""
    if events:
        session.execute(
            insert(TimelineEvent),
            [
                {
                    "incident_id": e["incident_id"],
                    "kind": EventKind(e["kind"]).value,
                    "at": e["at"],
                    "actor": e.get("actor"),
                    "text": e["text"],
                    "data": e.get("data") or None,
                    "source_key": None,
                }
                for e in events
            ],
        )


def to_entry(event: TimelineEvent) -> TimelineEntry:
    """The domain view of a stored event."""
    return TimelineEntry(
        at=event.at, kind=EventKind(event.kind), actor=event.actor, text=event.text, data=event.data or {}
    )


def timeline_of(session: Session, incident_id: int, *, limit: int | None = None) -> list[TimelineEntry]:
    """An incident's events in time order; with `limit`, only the most recent ones."""
    query = select(TimelineEvent).where(TimelineEvent.incident_id == incident_id)
    if limit is None:
        rows = session.scalars(query.order_by(TimelineEvent.at, TimelineEvent.id)).all()
    else:
        recent = session.scalars(query.order_by(TimelineEvent.at.desc(), TimelineEvent.id.desc()).limit(limit))
        rows = list(reversed(recent.all()))
    return [to_entry(row) for row in rows]


def count_events(session: Session, incident_id: int) -> int:
    """How many events an incident's timeline holds."""
    return int(
        session.scalar(select(func.count(TimelineEvent.id)).where(TimelineEvent.incident_id == incident_id)) or 0
    )
