"""Coalesced effects: at most one pending edit or note per lane, delivered no sooner than a gap after the
last, rendering the store's state when it is delivered.

For what a storm would otherwise turn into thousands of Slack calls (a triage message edited as alerts
join, a war room told "3 more alerts, 2 resolved"): each change asks for an effect; if one is already
waiting and not yet started, it will show this change too, so nothing is added; otherwise a new one is
queued, held until `gap` after the lane's previous one. The delivered message is rendered from the store
at delivery time, so the last state always lands and no update is lost.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from firebell.services.effects import EffectKind, EffectStatus, enqueue
from firebell.store.models import Effect, Incident

DEFAULT_GAP = timedelta(seconds=5)


def enqueue_coalesced(
    session: Session,
    *,
    kind: EffectKind,
    lane: str,
    now: datetime,
    incident: Incident | None = None,
    payload: dict[str, Any] | None = None,
    gap: timedelta = DEFAULT_GAP,
) -> Effect | None:
    """Ask for one effect of `kind` in `lane` (a lane of its own: the gap holds the lane); None when one
    already waits that has not started (it will render this change too)."""
    last = session.execute(
        select(Effect.id, Effect.kind, Effect.status, Effect.attempts, Effect.claimed_by, Effect.created_at)
        .where(Effect.lane == lane)
        .order_by(Effect.id.desc())
        .limit(1)
    ).first()
    if (
        last is not None
        and last.kind == kind.value
        and last.status == EffectStatus.PENDING.value
        and last.attempts == 0
        and last.claimed_by is None
    ):
        return None
    effect = enqueue(
        session,
        kind=kind,
        lane=lane,
        key=f"{lane}:{kind.value}:{uuid.uuid4().hex}",
        now=now,
        incident=incident,
        payload=payload,
    )
    if effect is not None and last is not None:
        effect.next_attempt_at = max(now, last.created_at + gap)
    return effect
