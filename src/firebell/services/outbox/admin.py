"""Operating the outbox: what is queued or failed, and requeueing failed effects once Slack is fixed."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update

from firebell.services.context import Context
from firebell.services.effects import EffectStatus
from firebell.services.incidents import load_by_number
from firebell.store.models import Effect, Incident


@dataclass(frozen=True)
class FailedEffect:
    """An effect that failed for good."""

    id: int
    incident_number: int | None
    kind: str
    error: str | None
    failed_at: datetime | None


@dataclass(frozen=True)
class OutboxSummary:
    """Counts by status, and the failed effects."""

    pending: int
    done: int
    dead: int
    failed: list[FailedEffect]


def outbox_summary(ctx: Context, *, limit: int = 50) -> OutboxSummary:
    """How many effects are pending, done and dead; the most recent failures."""
    with ctx.db.read() as session:
        counts = {
            status: int(count)
            for status, count in session.execute(select(Effect.status, func.count(Effect.id)).group_by(Effect.status))
        }
        rows = session.execute(
            select(Effect, Incident.number)
            .outerjoin(Incident, Incident.id == Effect.incident_id)
            .where(Effect.status == EffectStatus.DEAD.value)
            .order_by(Effect.id.desc())
            .limit(limit)
        ).all()
        failed = [
            FailedEffect(id=e.id, incident_number=n, kind=e.kind, error=e.last_error, failed_at=e.done_at)
            for e, n in rows
        ]
    return OutboxSummary(
        pending=counts.get(EffectStatus.PENDING.value, 0),
        done=counts.get(EffectStatus.DONE.value, 0),
        dead=counts.get(EffectStatus.DEAD.value, 0),
        failed=failed,
    )


def requeue_failed(ctx: Context, *, incident_number: int | None = None) -> int:
    """Put failed effects (of one incident, or all) back in the queue; returns how many."""
    now = ctx.clock()
    with ctx.db.transaction() as session:
        query = update(Effect).where(Effect.status == EffectStatus.DEAD.value)
        if incident_number is not None:
            query = query.where(Effect.incident_id == load_by_number(session, incident_number).id)
        result = session.execute(
            query.values(
                status=EffectStatus.PENDING.value,
                attempts=0,
                next_attempt_at=now,
                done_at=None,
                claimed_by=None,
                claimed_until=None,
            ).execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def prune_delivered(ctx: Context, *, before: datetime) -> int:
    """Delete effects delivered before `before` (the timeline keeps the history); returns how many."""
    with ctx.db.transaction(background=True) as session:
        result = session.execute(
            delete(Effect)
            .where(Effect.status == EffectStatus.DONE.value, Effect.done_at < before)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
