"""The one function that writes timeline events, and the queries that read them."""

import json
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, func, insert, select, type_coerce
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


_KINDS = {kind.value: kind for kind in EventKind}  # a dict lookup is much cheaper than EventKind(value)
# `data` is read as text and parsed only when present: most events have none, and a JSON decode per
# row is a large share of reading a long timeline. (PostgreSQL's driver hands back parsed JSON.)
# `at` is read raw too and converted below: the generic DateTime processing costs more than the query.
_COLUMNS = (
    type_coerce(TimelineEvent.at, String).label("at"),
    TimelineEvent.kind,
    TimelineEvent.actor,
    TimelineEvent.text,
    type_coerce(TimelineEvent.data, String).label("data"),
)


def _moment(value: Any) -> datetime:
    """A stored instant as an aware UTC datetime (SQLite keeps naive UTC text; PostgreSQL timestamptz)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value + "+00:00")
    moment: datetime = value
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def _data(value: object) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value not in ("null", ""):
        parsed = json.loads(value)
        return parsed if isinstance(parsed, dict) else {}
    return {}


def timeline_of(
    session: Session, incident_id: int, *, limit: int | None = None, kinds: Collection[EventKind] | None = None
) -> list[TimelineEntry]:
    """An incident's events in time order; with `limit`, only the most recent ones; with `kinds`, only those.

    Reads plain rows rather than ORM objects: a long incident has tens of thousands of events.
    """
    query = select(*_COLUMNS).where(TimelineEvent.incident_id == incident_id)
    if kinds is not None:
        query = query.where(TimelineEvent.kind.in_(sorted(kind.value for kind in kinds)))
    connection = session.connection()  # plain Core execution: no ORM bookkeeping per row
    if limit is None:
        rows = connection.execute(query.order_by(TimelineEvent.at, TimelineEvent.id)).all()
    else:
        recent = connection.execute(query.order_by(TimelineEvent.at.desc(), TimelineEvent.id.desc()).limit(limit))
        rows = list(reversed(recent.all()))
    by_value, entry = _KINDS, TimelineEntry
    if rows and isinstance(rows[0][0], str):
        # SQLite: naive UTC text. Inlined, as this runs once per event of a long timeline.
        # tuple.__new__ skips the NamedTuple's Python-level __new__ (same object, one call less per row).
        parse, build = datetime.fromisoformat, tuple.__new__
        return [
            build(entry, (parse(at + "+00:00"), by_value[kind], actor, text, _data(data) if data else {}))
            for at, kind, actor, text, data in rows
        ]
    return [entry(_moment(at), by_value[kind], actor, text, _data(data)) for at, kind, actor, text, data in rows]


def count_events(session: Session, incident_id: int) -> int:
    """How many events an incident's timeline holds."""
    return int(
        session.scalar(select(func.count(TimelineEvent.id)).where(TimelineEvent.incident_id == incident_id)) or 0
    )
