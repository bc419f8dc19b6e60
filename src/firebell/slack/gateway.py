"""The gateway: claims due outbox effects, delivers them to Slack on a worker pool, records the outcome.

Lanes keep order where it matters (the war room's messages, the announcement and its edits) while
independent work (invites, topic, pin, bookmark) runs concurrently. Claims are conditional UPDATEs with a
lease that is renewed while the delivery runs, and an outcome is only recorded by the process that still
holds the claim, so several `firebell serve` processes can share one database without posting twice.
"""

import logging
import os
import random
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import Session

from firebell.domain.timeline import EventKind
from firebell.services.context import Context
from firebell.services.effects import EffectKind, EffectStatus, enqueue, lane
from firebell.services.timeline import record_event
from firebell.slack.delivery import Deliverer
from firebell.slack.outcomes import Delivered, Failed, Job, Outcome, Retry, backoff_delay
from firebell.store.models import Effect, Incident

log = logging.getLogger(__name__)

MAX_ATTEMPTS_ON_BUGS = 8
_PRODUCER_KINDS = (EffectKind.CREATE_CHANNEL, EffectKind.POST_KICKOFF, EffectKind.POST_ANNOUNCEMENT)


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
    ) -> None:
        self.ctx = ctx
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
        self._pool: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None
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

    def stop(self, timeout: float = 10.0) -> None:
        """Stop claiming; let deliveries in flight finish (what is left stays queued for next time)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def wake(self) -> None:
        """New work was committed: look now instead of at the next poll."""
        self._wake.set()

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing is in flight and nothing is ready to deliver (for CLI tools and tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._idle:
                if not self._inflight and not self._ready_heads(self.ctx.clock())[0]:
                    return True
                self._idle.wait(0.05)
        return False

    # -- the dispatcher ----------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_interval)
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
        with self._idle:
            capacity = self.workers - len(self._inflight)
        if capacity <= 0:
            return
        for job in self._claim(capacity):
            with self._idle:
                self._inflight.add(job.id)
            assert self._pool is not None
            self._pool.submit(self._work, job)

    def _ready_heads(self, now: datetime) -> tuple[list[Effect], list[Effect]]:
        """The first pending effect of every lane that is due and unclaimed: (ready, blocked for good).

        A head is ready when what it needs (the channel, the kick-off, the announcement) exists, and
        blocked when the effect that would produce it failed for good.
        """
        heads_query = (
            select(func.min(Effect.id)).where(Effect.status == EffectStatus.PENDING.value).group_by(Effect.lane)
        )
        with self.ctx.db.read() as session:
            heads = session.scalars(select(Effect).where(Effect.id.in_(heads_query)).order_by(Effect.id)).all()
            due = [e for e in heads if e.next_attempt_at <= now and (e.claimed_until is None or e.claimed_until < now)]
            incident_ids = {e.incident_id for e in due if e.incident_id is not None}
            incidents = (
                {i.id: i for i in session.scalars(select(Incident).where(Incident.id.in_(incident_ids)))}
                if incident_ids
                else {}
            )
            ready, waiting = [], []
            for effect in due:
                incident = incidents.get(effect.incident_id) if effect.incident_id is not None else None
                if self.deliverer.is_ready(effect.kind, effect.payload, incident):
                    ready.append(effect)
                else:
                    waiting.append(effect)
            if not waiting:
                return ready, []
            dead = {
                (incident_id, kind)
                for incident_id, kind in session.execute(
                    select(Effect.incident_id, Effect.kind).where(
                        Effect.incident_id.in_({e.incident_id for e in waiting}),
                        Effect.kind.in_(_PRODUCER_KINDS),
                        Effect.status == EffectStatus.DEAD.value,
                    )
                )
            }
        blocked = []
        for effect in waiting:
            need = self.deliverer.needs(effect.kind, effect.payload)
            if need is not None and any((effect.incident_id, kind.value) in dead for kind in need.producers):
                blocked.append(effect)
        return ready, blocked

    def _claim(self, capacity: int) -> list[Job]:
        now = self.ctx.clock()
        ready, blocked = self._ready_heads(now)
        if blocked:
            self._mark_blocked(blocked, now)
        candidates = ready[:capacity]
        if not candidates:
            return []
        claimed: list[Job] = []
        with self.ctx.db.transaction(background=True) as session:
            for effect in candidates:
                result = session.execute(
                    update(Effect)
                    .where(
                        Effect.id == effect.id,
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
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount != 1:  # type: ignore[attr-defined]
                    continue
                claimed.append(
                    Job(
                        id=effect.id,
                        kind=effect.kind,
                        lane=effect.lane,
                        incident_id=effect.incident_id,
                        payload=dict(effect.payload),
                        idem_key=effect.idem_key,
                        attempts=effect.attempts + 1,
                        uncertain=effect.uncertain or effect.claimed_by is not None,
                        created_at=effect.created_at,
                    )
                )
        return claimed

    def _mark_blocked(self, blocked: list[Effect], now: datetime) -> None:
        with self.ctx.db.transaction(background=True) as session:
            for effect in blocked:
                session.execute(
                    update(Effect)
                    .where(Effect.id == effect.id, Effect.status == EffectStatus.PENDING.value)
                    .values(status=EffectStatus.DEAD.value, done_at=now, last_error="blocked: what it needs failed")
                    .execution_options(synchronize_session=False)
                )
        log.warning("%d effects can never run because an effect they need failed for good", len(blocked))

    # -- workers -----------------------------------------------------------------------------------

    def _work(self, job: Job) -> None:
        try:
            try:
                outcome = self.deliverer.deliver(job)
            except Exception as exc:  # a bug, not Slack: retry a few times (a fix may be deployed), then stop
                log.exception("effect %s (%s) raised", job.id, job.kind)
                error = f"internal error: {type(exc).__name__}"
                # The exception may have come after a Slack call succeeded: check before redoing.
                outcome = (
                    Failed(error=error) if job.attempts >= MAX_ATTEMPTS_ON_BUGS else Retry(error=error, uncertain=True)
                )
            self._finish(job, outcome)
        except Exception:
            log.exception("could not record the outcome of effect %s; its lease will expire and it retries", job.id)
        finally:
            with self._idle:
                self._inflight.discard(job.id)
                self._idle.notify_all()
            self._wake.set()

    def _backoff(self, attempts: int) -> float:
        jitter = random.uniform(0.8, 1.2)  # noqa: S311 (spreads retries, not security)
        return backoff_delay(attempts, cap=self.max_backoff, jitter=jitter)

    def _finish(self, job: Job, outcome: Outcome) -> None:
        now = self.ctx.clock()
        if isinstance(outcome, Retry) and now - job.created_at > self.give_up_after:
            outcome = Failed(error=f"gave up after {self.give_up_after}: {outcome.error}")
        with self.ctx.db.transaction(background=True) as session:
            effect = session.get(Effect, job.id)
            if effect is None:
                return
            if effect.claimed_by != self.name:
                # Our lease lapsed and another process took the effect over; it treats the effect as
                # uncertain and finds what this attempt did, so this outcome must not be recorded too.
                log.warning("effect %s (%s): claim lost to %s; outcome dropped", job.id, job.kind, effect.claimed_by)
                return
            effect.claimed_by = None
            effect.claimed_until = None
            if isinstance(outcome, Delivered):
                effect.status = EffectStatus.DONE.value
                effect.done_at = now
                effect.last_error = None
                if outcome.incident and job.incident_id is not None:
                    incident = session.get(Incident, job.incident_id)
                    if incident is not None:
                        for column, value in outcome.incident.items():
                            setattr(incident, column, value)
            elif isinstance(outcome, Retry):
                delay = outcome.after if outcome.after is not None else self._backoff(job.attempts)
                effect.next_attempt_at = now + timedelta(seconds=delay)
                effect.uncertain = effect.uncertain or outcome.uncertain
                effect.last_error = outcome.error[:500]
                if outcome.payload is not None:
                    effect.payload = outcome.payload
                level = logging.ERROR if outcome.alarm else logging.INFO
                log.log(level, "effect %s (%s) will retry in %.1fs: %s", job.id, job.kind, delay, outcome.error)
                if outcome.alarm and job.kind == EffectKind.CREATE_CHANNEL:
                    self._tell_declarer(session, job, outcome.error, now, retrying=True)
            else:
                effect.status = EffectStatus.DEAD.value
                effect.done_at = now
                effect.last_error = outcome.error[:500]
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
