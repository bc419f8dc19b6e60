"""The gateway: claims due outbox effects, delivers them to Slack on a worker pool, records the outcome.

Lanes keep order where it matters (the war room's messages, the announcement and its edits) while
independent work (invites, topic, pin, bookmark) runs concurrently. Claims are conditional UPDATEs with a
lease that is renewed while the delivery runs, and an outcome is only recorded by the process that still
holds the claim, so several `firebell serve` processes can share one database without posting twice.
"""

import functools
import logging
import os
import queue
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Select, Table, and_, bindparam, case, exists, or_, select, update
from sqlalchemy.orm import Session, aliased, selectinload

from firebell.domain.incident import IncidentSnapshot
from firebell.domain.timeline import EventKind
from firebell.services.context import Context
from firebell.services.effects import NEED_PRODUCERS, EffectKind, EffectStatus, enqueue, lane
from firebell.services.incidents import snapshot
from firebell.services.timeline import record_event
from firebell.slack.outbox.delivery import Deliverer
from firebell.slack.outbox.outcomes import Delivered, Failed, Job, Outcome, Retry, backoff_delay
from firebell.store.models import Effect, Incident

log = logging.getLogger(__name__)

# Core table for the hot UPDATEs (claims, outcomes): no ORM bookkeeping per statement.
EFFECTS = cast(Table, Effect.__table__)
MAX_ATTEMPTS_ON_BUGS = 8
DISPATCH_DEBOUNCE = 0.002
RECORD_BATCH = 200
BLOCKED_SWEEP_SECONDS = 2.0


@functools.cache
def _ready_query() -> Select[Effect, Incident]:
    """The dispatcher's query for ready effects (Gateway._ready), with `now` and `limit` bound: built and
    compiled once, not on every round (the dispatcher runs a round after every commit that queues work)."""
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
            is_head,
            has_need,
        )
        .order_by(Effect.id)
        .limit(bindparam("limit"))
        .options(selectinload(Incident.roles))
    )


class Gateway:
    """Delivers queued Slack effects reliably: in order per lane, retried with backoff, never twice."""

    def __init__(
        self,
        ctx: Context,
        deliverer: Deliverer,
        *,
        workers: int = 16,
        poll_interval: float = 0.5,
        lease: timedelta = timedelta(seconds=60),
        max_backoff: float = 30.0,
        give_up_after: timedelta = timedelta(hours=24),
        before_each: Callable[[], None] | None = None,
    ) -> None:
        self.ctx = ctx
        # Called before each delivery: acknowledging Slack's requests goes first (AckPriority).
        self.before_each = before_each
        self.deliverer = deliverer
        self.workers = workers
        self.poll_interval = poll_interval
        self.lease = lease
        self.max_backoff = max_backoff
        self.give_up_after = give_up_after
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._inflight: set[int] = set()
        self._renewed_at = 0.0
        self._swept_at = 0.0
        self._pool: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None
        self._recorder: threading.Thread | None = None
        self._outcomes: queue.Queue[tuple[Job, Outcome]] = queue.Queue()
        ctx.db.on_effects_committed(self.wake)

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the dispatcher thread and the worker pool."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="firebell-gateway")
        self._thread = threading.Thread(target=self._run, name="firebell-dispatcher", daemon=True)
        self._thread.start()
        self._recorder = threading.Thread(target=self._record, name="firebell-recorder", daemon=True)
        self._recorder.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop claiming; let deliveries in flight finish (what is left stays queued for next time)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)  # every claimed job finishes and is recorded
            self._pool = None
        if self._recorder is not None:  # writes the outcomes of the deliveries that just finished
            self._recorder.join(timeout)
            self._recorder = None

    def wake(self) -> None:
        """New work was committed: look now instead of at the next poll."""
        self._wake.set()

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing is in flight and nothing is ready to deliver (for CLI tools and tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._idle:
                if not self._inflight and not self._ready(self.ctx.clock(), 1):
                    return True
                self._idle.wait(0.05)
        return False

    # -- the dispatcher ----------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_interval)
            time.sleep(DISPATCH_DEBOUNCE)  # let a few more completions arrive: one round claims them all
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self._renew_leases()
                self._dispatch()
            except Exception:  # the database may be briefly unavailable; keep the loop alive
                log.exception("gateway dispatch failed; retrying at the next poll")

    def _renew_leases(self) -> None:
        """Keep the claims of long deliveries (slow Slack, many pages) from expiring under them."""
        if time.monotonic() - self._renewed_at < self.lease.total_seconds() / 3:
            return
        self._renewed_at = time.monotonic()
        with self._idle:
            ids = list(self._inflight)
        if not ids:
            return
        with self.ctx.db.transaction(background=True) as session:
            session.execute(
                update(Effect)
                .where(Effect.id.in_(ids), Effect.claimed_by == self.name)
                .values(claimed_until=self.ctx.clock() + self.lease)
                .execution_options(synchronize_session=False)
            )

    def _dispatch(self) -> None:
        # Claim up to twice the workers: the pool's queue holds the rest, so each (database-bound)
        # dispatch round feeds the workers for longer. Queued claims keep their leases renewed.
        with self._idle:
            capacity = 2 * self.workers - len(self._inflight)
        if capacity < max(1, self.workers // 4) and self._inflight:
            return  # wait until a worthwhile batch can be claimed
        for job in self._claim(capacity):
            with self._idle:
                self._inflight.add(job.id)
            assert self._pool is not None
            self._pool.submit(self._work, job)

    def _ready(self, now: datetime, limit: int) -> list[tuple[Effect, IncidentSnapshot | None]]:
        """Effects to deliver now, oldest first: each the first pending effect of its lane, due,
        unclaimed, and with what it needs from earlier effects (the channel, kick-off, announcement)."""
        with self.ctx.db.read() as session:
            # The incident comes with the effect (and its roles in one more query for the whole batch),
            # so a delivery does not read the database again before calling Slack.
            return [
                (effect, snapshot(incident) if incident is not None else None)
                for effect, incident in session.execute(_ready_query(), {"now": now, "limit": limit}).all()
            ]

    def _blocked(self) -> list[int]:
        """Pending effects that can never run: what they need would come from an effect that failed for good."""
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
            return list(session.scalars(query))

    def _claim(self, capacity: int) -> list[Job]:
        now = self.ctx.clock()
        if time.monotonic() - self._swept_at > BLOCKED_SWEEP_SECONDS:
            self._swept_at = time.monotonic()
            blocked = self._blocked()
            if blocked:
                self._mark_blocked(blocked, now)
        candidates = self._ready(now, capacity)
        if not candidates:
            return []
        by_id = {effect.id: (effect, incident) for effect, incident in candidates}
        with self.ctx.db.transaction(background=True) as session:
            # One conditional UPDATE claims the batch; RETURNING says which rows this process won.
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
                        claimed_by=self.name,
                        claimed_until=now + self.lease,
                        attempts=Effect.attempts + 1,
                        # A claim that was never released means its holder died mid-delivery.
                        uncertain=case((Effect.claimed_by.is_not(None), True), else_=Effect.uncertain),
                    )
                    .returning(Effect.id, Effect.attempts, Effect.uncertain)
                )
                .all()
            )
        claimed = []
        for effect_id, attempts, uncertain in sorted(won):
            effect, incident = by_id[effect_id]
            claimed.append(
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
                )
            )
        return claimed

    def _mark_blocked(self, blocked: list[int], now: datetime) -> None:
        with self.ctx.db.transaction(background=True) as session:
            session.execute(
                update(Effect)
                .where(Effect.id.in_(blocked), Effect.status == EffectStatus.PENDING.value)
                .values(status=EffectStatus.DEAD.value, done_at=now, last_error="blocked: what it needs failed")
                .execution_options(synchronize_session=False)
            )
        log.warning("%d effects can never run because an effect they need failed for good", len(blocked))

    # -- workers -----------------------------------------------------------------------------------

    def _work(self, job: Job) -> None:
        try:
            if self.before_each is not None:
                self.before_each()
            outcome = self.deliverer.deliver(job)
        except Exception as exc:  # a bug, not Slack: retry a few times (a fix may be deployed), then stop
            log.exception("effect %s (%s) raised", job.id, job.kind)
            error = f"internal error: {type(exc).__name__}"
            # The exception may have come after a Slack call succeeded: check before redoing.
            outcome = (
                Failed(error=error) if job.attempts >= MAX_ATTEMPTS_ON_BUGS else Retry(error=error, uncertain=True)
            )
        self._outcomes.put((job, outcome))

    # -- the recorder ------------------------------------------------------------------------------

    def _record(self) -> None:
        """Write outcomes in batches: one transaction for whatever finished meanwhile.

        A delivered effect stays claimed until its outcome is written, so the next effect in its lane
        cannot start before this one is recorded: batching keeps lane order.
        """
        while True:
            try:
                first = self._outcomes.get(timeout=0.5)
            except queue.Empty:
                if self._stop.is_set() and not self._inflight_count():
                    return
                continue
            batch = [first]
            while len(batch) < RECORD_BATCH:
                try:
                    batch.append(self._outcomes.get_nowait())
                except queue.Empty:
                    break
            try:
                self._finish(batch)
            except Exception:
                log.exception("could not record %d outcomes; their leases expire and they retry", len(batch))
            finally:
                with self._idle:
                    for job, _ in batch:
                        self._inflight.discard(job.id)
                    self._idle.notify_all()
                self._wake.set()

    def _inflight_count(self) -> int:
        with self._idle:
            return len(self._inflight)

    def _backoff(self, attempts: int) -> float:
        jitter = random.uniform(0.8, 1.2)  # noqa: S311 (spreads retries, not security)
        return backoff_delay(attempts, cap=self.max_backoff, jitter=jitter)

    def _finish(self, batch: list[tuple[Job, Outcome]]) -> None:
        now = self.ctx.clock()
        # The common case, delivered with nothing to store on the incident, is one UPDATE for the batch.
        plain = [job for job, outcome in batch if isinstance(outcome, Delivered) and not outcome.incident]
        with self.ctx.db.transaction(background=True) as session:
            if plain:
                won = set(
                    session.connection()
                    .execute(
                        update(EFFECTS)
                        .where(Effect.id.in_([job.id for job in plain]), Effect.claimed_by == self.name)
                        .values(_effect_columns(Delivered(), now=now, delay=0))
                        .returning(Effect.id)
                    )
                    .scalars()
                )
                for job in plain:
                    if job.id not in won:
                        log.warning("effect %s (%s): claim lost; outcome dropped", job.id, job.kind)
            for job, outcome in batch:
                if not (isinstance(outcome, Delivered) and not outcome.incident):
                    self._finish_one(session, job, outcome, now)

    def _finish_one(self, session: Session, job: Job, outcome: Outcome, now: datetime) -> None:
        if isinstance(outcome, Retry) and now - job.created_at > self.give_up_after:
            outcome = Failed(error=f"gave up after {self.give_up_after}: {outcome.error}")
        mine = and_(Effect.id == job.id, Effect.claimed_by == self.name)
        delay = (
            outcome.after if isinstance(outcome, Retry) and outcome.after is not None else self._backoff(job.attempts)
        )
        values = _effect_columns(outcome, now=now, delay=delay)
        result = session.connection().execute(update(EFFECTS).where(mine).values(**values))
        if result.rowcount != 1:
            # Our lease lapsed and another process took the effect over; it treats the effect as
            # uncertain and finds what this attempt did, so this outcome must not be recorded too.
            log.warning("effect %s (%s): claim lost; outcome dropped", job.id, job.kind)
            return
        if isinstance(outcome, Delivered):
            if outcome.incident and job.incident_id is not None:
                session.execute(
                    update(Incident)
                    .where(Incident.id == job.incident_id)
                    .values(**outcome.incident)
                    .execution_options(synchronize_session=False)
                )
        elif isinstance(outcome, Retry):
            level = logging.ERROR if outcome.alarm else logging.INFO
            log.log(level, "effect %s (%s) will retry in %.1fs: %s", job.id, job.kind, delay, outcome.error)
            if outcome.alarm and job.kind == EffectKind.CREATE_CHANNEL:
                self._tell_declarer(session, job, outcome.error, now, retrying=True)
        else:
            log.error("effect %s (%s) failed for good: %s", job.id, job.kind, outcome.error)
            self._record_failure(session, job, outcome, now)
            if job.kind == EffectKind.CREATE_CHANNEL:
                self._tell_declarer(session, job, outcome.error, now, retrying=False)

    def _record_failure(self, session: Session, job: Job, outcome: Failed, now: datetime) -> None:
        incident = session.get(Incident, job.incident_id) if job.incident_id is not None else None
        if incident is None:
            return
        record_event(
            session,
            incident,
            kind=EventKind.SLACK_FAILURE,
            at=now,
            actor=None,
            text=f"Slack refused {job.kind.replace('_', ' ')}: {outcome.error}",
            data={"effect": job.id, "kind": job.kind, "error": outcome.error},
        )

    def _tell_declarer(self, session: Session, job: Job, error: str, now: datetime, *, retrying: bool) -> None:
        """The declarer was told the war room is on its way: say (once) that Slack refused it."""
        incident = session.get(Incident, job.incident_id) if job.incident_id is not None else None
        if incident is None:
            return
        ready = session.scalar(
            select(Effect).where(Effect.incident_id == incident.id, Effect.kind == EffectKind.RESPOND.value)
        )
        if ready is None or "response_url" not in ready.payload:
            return
        enqueue(
            session,
            kind=EffectKind.RESPOND,
            lane=lane(incident, "respond-failure"),
            key=f"inc:{incident.id}:war_room_failed",
            now=now,
            incident=incident,
            payload={
                "response_url": ready.payload["response_url"],
                "message": "war_room_failed",
                "error": error,
                "retrying": retrying,
            },
            dedupe=True,
        )


def _effect_columns(outcome: Outcome, *, now: datetime, delay: float) -> dict[str, Any]:
    """The outbox row's new columns after an attempt (the claim is released in every case)."""
    values: dict[str, Any] = {"claimed_by": None, "claimed_until": None}
    if isinstance(outcome, Delivered):
        values.update(status=EffectStatus.DONE.value, done_at=now, last_error=None)
    elif isinstance(outcome, Retry):
        values.update(next_attempt_at=now + timedelta(seconds=delay), last_error=outcome.error[:500])
        if outcome.uncertain:
            values["uncertain"] = True
        if outcome.payload is not None:
            values["payload"] = outcome.payload
    else:
        values.update(status=EffectStatus.DEAD.value, done_at=now, last_error=outcome.error[:500])
    return values
