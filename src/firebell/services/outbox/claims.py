"""Claiming ready effects with a lease, renewing the lease while they are delivered, and stranding the
effects that can never run.

A claim is one conditional UPDATE (RETURNING says which rows this process won), so several processes can
share one database and never deliver one effect at once. A claim that was never released means its
holder died mid-delivery: the next claim marks the effect uncertain, and its deliverer looks for what the
earlier attempt did before redoing it.
"""

import functools
import logging
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Select, Table, and_, bindparam, case, exists, or_, select, update
from sqlalchemy.orm import aliased, selectinload

from firebell.domain.incident import IncidentSnapshot
from firebell.services.context import Context
from firebell.services.effects import NEED_PRODUCERS, EffectStatus
from firebell.services.incidents import snapshot
from firebell.services.outbox.outcomes import Job
from firebell.store.models import Effect, Incident

log = logging.getLogger(__name__)

# Core table for the hot UPDATEs: no ORM bookkeeping per statement.
EFFECTS = cast(Table, Effect.__table__)
# Long enough to ride out a slow statement, short enough that work a killed process held is picked up
# again within seconds; a live holder renews it every third of it (Gateway), so a delivery may take longer.
DEFAULT_LEASE = timedelta(seconds=10)


@functools.cache
def _ready_query() -> Select[Effect, Incident]:
    """Ready effects, with `now`, `limit` and the kinds to `skip` bound: built and compiled once, not on
    every round (a round runs after every commit that queues work)."""
    now = bindparam("now", type_=Effect.__table__.c.next_attempt_at.type)
    earlier = aliased(Effect)
    is_head = ~exists().where(
        earlier.lane == Effect.lane, earlier.status == EffectStatus.PENDING.value, earlier.id < Effect.id
    )
    has_need = or_(
        Effect.needs.is_(None),
        and_(Effect.needs == "channel_id", Incident.channel_id.is_not(None)),
        and_(Effect.needs == "kickoff_ts", Incident.kickoff_ts.is_not(None)),
        and_(Effect.needs == "announcement_ts", Incident.announcement_ts.is_not(None)),
    )
    return (
        select(Effect, Incident)
        .outerjoin(Incident, Incident.id == Effect.incident_id)
        .where(
            Effect.status == EffectStatus.PENDING.value,
            Effect.next_attempt_at <= now,
            or_(Effect.claimed_until.is_(None), Effect.claimed_until < now),
            Effect.kind.not_in(bindparam("skip", expanding=True)),
            is_head,
            has_need,
        )
        # Urgent first (a reminder goes ahead of yesterday's burst of topics); oldest first within that.
        .order_by(Effect.urgency, Effect.id)
        .limit(bindparam("limit"))
        .options(selectinload(Incident.roles))
    )


class Claims:
    """One process's claims on the outbox: `owner` names it in the rows it holds."""

    def __init__(self, ctx: Context, owner: str, *, lease: timedelta = DEFAULT_LEASE) -> None:
        self.ctx = ctx
        self.owner = owner
        self.lease = lease

    def ready(
        self, now: datetime, limit: int, *, skip: Collection[str] = ()
    ) -> list[tuple[Effect, IncidentSnapshot | None]]:
        """Effects to deliver now, urgent first, then oldest: each the first pending effect of its lane,
        due, unclaimed, not of a kind in `skip`, and with what it needs from earlier effects."""
        with self.ctx.db.read() as session:
            # The incident comes with the effect (and its roles in one more query for the whole batch),
            # so a delivery does not read the database again before calling Slack.
            rows = session.execute(_ready_query(), {"now": now, "limit": limit, "skip": sorted(skip)}).all()
            return [(effect, snapshot(incident) if incident is not None else None) for effect, incident in rows]

    def claim(self, capacity: int, *, skip: Collection[str] = (), mine: Collection[int] = ()) -> list[Job]:
        """Claim up to `capacity` ready effects for this process (none of `mine`, which it holds already)."""
        now = self.ctx.clock()
        candidates = [(e, i) for e, i in self.ready(now, capacity, skip=skip) if e.id not in mine]
        if not candidates:
            return []
        by_id = {effect.id: (effect, incident) for effect, incident in candidates}
        with self.ctx.db.transaction(background=True) as session:
            won = (
                session.connection()
                .execute(
                    update(EFFECTS)
                    .where(
                        Effect.id.in_(by_id),
                        Effect.status == EffectStatus.PENDING.value,
                        or_(Effect.claimed_until.is_(None), Effect.claimed_until < now),
                    )
                    .values(
                        claimed_by=self.owner,
                        claimed_until=now + self.lease,
                        attempts=Effect.attempts + 1,
                        uncertain=case((Effect.claimed_by.is_not(None), True), else_=Effect.uncertain),
                    )
                    .returning(Effect.id, Effect.attempts, Effect.uncertain)
                )
                .all()
            )
        jobs = []
        for effect_id, attempts, uncertain in won:
            effect, incident = by_id[effect_id]
            jobs.append(
                Job(
                    id=effect.id,
                    kind=effect.kind,
                    lane=effect.lane,
                    incident_id=effect.incident_id,
                    payload=dict(effect.payload),
                    idem_key=effect.idem_key,
                    attempts=attempts,
                    uncertain=bool(uncertain),
                    created_at=effect.created_at,
                    incident=incident,
                    urgency=effect.urgency,
                )
            )
        jobs.sort(key=lambda job: (job.urgency, job.id))
        return jobs

    def renew(self, ids: Collection[int]) -> None:
        """Extend this process's leases on effects it is still delivering (or about to)."""
        if not ids:
            return
        with self.ctx.db.transaction(background=True) as session:
            session.execute(
                update(Effect)
                .where(Effect.id.in_(list(ids)), Effect.claimed_by == self.owner)
                .values(claimed_until=self.ctx.clock() + self.lease)
                .execution_options(synchronize_session=False)
            )

    def strand_blocked(self) -> int:
        """Fail the pending effects that can never run (what they need would come from an effect that
        failed for good), so they wait for nobody; returns how many."""
        dead = aliased(Effect)
        conditions = [
            and_(Effect.needs == column, dead.kind.in_([k.value for k in producers]))
            for column, producers in NEED_PRODUCERS.items()
        ]
        query = (
            select(Effect.id)
            .join(dead, and_(dead.incident_id == Effect.incident_id, dead.status == EffectStatus.DEAD.value))
            .where(Effect.status == EffectStatus.PENDING.value, or_(*conditions))
            .distinct()
            .limit(500)
        )
        with self.ctx.db.read() as session:
            blocked = list(session.scalars(query))
        if not blocked:
            return 0
        with self.ctx.db.transaction(background=True) as session:
            session.execute(
                update(Effect)
                .where(Effect.id.in_(blocked), Effect.status == EffectStatus.PENDING.value)
                .values(
                    status=EffectStatus.DEAD.value,
                    done_at=self.ctx.clock(),
                    last_error="blocked: what it needs failed",
                )
                .execution_options(synchronize_session=False)
            )
        log.warning("%d effects can never run because an effect they need failed for good", len(blocked))
        return len(blocked)
