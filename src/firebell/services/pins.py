"""Copying a :pushpin:-reacted message onto the timeline, exactly once."""

from datetime import UTC, datetime

from sqlalchemy import select

from firebell.domain.timeline import EventKind
from firebell.services.context import Context
from firebell.services.effects import EffectKind, enqueue
from firebell.services.timeline import record_event
from firebell.store.models import Incident

PIN_REACTIONS = frozenset({"pushpin", "round_pushpin"})


def pin_key(channel_id: str, message_ts: str) -> str:
    """The identity of a pinned message: one timeline copy per message, however often it is pinned."""
    return f"pin:{channel_id}:{message_ts}"


def request_pin_capture(ctx: Context, *, channel_id: str, message_ts: str, reactor: str) -> bool:
    """Queue fetching a reacted-to message for the timeline; False when the channel is no war room."""
    with ctx.db.transaction() as session:
        incident = session.scalar(select(Incident).where(Incident.channel_id == channel_id))
        if incident is None:
            return False
        enqueue(
            session,
            kind=EffectKind.CAPTURE_PIN,
            lane=f"pin:{channel_id}",
            key=pin_key(channel_id, message_ts),
            now=ctx.clock(),
            incident=incident,
            payload={"channel": channel_id, "ts": message_ts, "reactor": reactor},
            dedupe=True,
        )
        return True


def record_pin(
    ctx: Context,
    *,
    incident_id: int,
    channel_id: str,
    message_ts: str,
    author: str | None,
    text: str,
    reactor: str,
) -> bool:
    """Put a message on the timeline at its original time; False when it was already there."""
    with ctx.db.transaction(background=True) as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            return False
        event = record_event(
            session,
            incident,
            kind=EventKind.PIN,
            at=datetime.fromtimestamp(float(message_ts), UTC),
            actor=author,
            text=text or "(a message without text)",
            data={"channel": channel_id, "ts": message_ts, "pinned_by": reactor},
            source_key=pin_key(channel_id, message_ts),
        )
        if event is None:
            return False
        enqueue(
            session,
            kind=EffectKind.EPHEMERAL,
            lane=f"inc:{incident.id}:ephemeral",
            key=f"pin-ack:{channel_id}:{message_ts}",
            now=ctx.clock(),
            incident=incident,
            payload={"channel": channel_id, "user": reactor, "message": "pin_recorded", "author": author},
        )
        return True
