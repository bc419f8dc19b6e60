"""Keeping an alert group's triage message current: one coalesced edit per group, rendered at delivery.

Apart from the triage use cases so that whatever changes a group (an ingest, a link made by a declare)
can ask for the edit without importing them.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from firebell.services.coalesced_effects import enqueue_coalesced
from firebell.services.effects import EffectKind
from firebell.store.models import AlertGroup, Effect


def triage_lane(group_id: int) -> str:
    """The lane of a group's triage message: its edits go one at a time, coalesced."""
    return f"alert-group:{group_id}:triage"


def enqueue_triage_sync(session: Session, group_id: int, *, now: datetime) -> None:
    """Ask for the group's triage message to be posted or edited to show its current state."""
    enqueue_coalesced(
        session, kind=EffectKind.SYNC_TRIAGE, lane=triage_lane(group_id), now=now, payload={"group_id": group_id}
    )


def is_triaged(session: Session, group: AlertGroup) -> bool:
    """Whether the group has (or is about to have) a triage message."""
    if group.triage_ts is not None:
        return True
    return session.scalar(select(Effect.id).where(Effect.lane == triage_lane(group.id)).limit(1)) is not None


def sync_if_triaged(session: Session, group: AlertGroup, *, now: datetime) -> None:
    """A group changed outside triage (linked by a declare, say): show it on its triage message, if it has one."""
    if is_triaged(session, group):
        enqueue_triage_sync(session, group.id, now=now)
