"""The gateway: claims due outbox effects, delivers them to Slack on a worker pool, records the outcome.

Lanes keep order where it matters (the war room's messages, the announcement and its edits) while
independent work (invites, topic, pin, bookmark) runs concurrently. Claims are conditional UPDATEs with a
lease, so several `firebell serve` processes can share one database without delivering anything twice.
"""

import logging
import os
import random
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import Session

from firebell.domain.timeline import EventKind
from firebell.services.context import Context
from firebell.services.effects import EffectKind, EffectStatus
from firebell.services.timeline import record_event
from firebell.slack.delivery import Deliverer
from firebell.slack.outcomes import Delivered, Failed, Job, Outcome, Retry, backoff_delay
from firebell.store.models import Effect, Incident

log = logging.getLogger(__name__)

# When these fail for good, the lanes that wait on what they would have produced can never run.
_PRODUCERS: dict[str, tuple[str, ...]] = {
    EffectKind.CREATE_CHANNEL: ("room", "members", "topic", "pin", "bookmark", "announce", "respond"),
    EffectKind.POST_KICKOFF: ("room", "pin"),
    EffectKind.POST_ANNOUNCEMENT: ("announce",),
}
MAX_ATTEMPTS_ON_BUGS = 8


class Gateway:
    """Delivers queued Slack effects reliably: in order per lane, retried with backoff, never twice."""

    def __init__(
        self,
        ctx: Context,
        deliverer: Deliverer,
        *,
        workers: int = 8,
        poll_interval: float = 0.5,
        lease: timedelta = timedelta(seconds=120),
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
        self._inflight = 0
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
        deadline = threading.Event()
        timer = threading.Timer(timeout, deadline.set)
        timer.start()
        try:
            while not deadline.is_set():
                with self._idle:
                    if self._inflight == 0 and not self._ready_heads(self.ctx.clock()):
                        return True
                    self._idle.wait(0.05)
            return False
        finally:
            timer.cancel()

    # -- the dispatcher ----------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_interval)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self._dispatch()
            except Exception:  # the database may be briefly unavailable; keep the loop alive
                log.exception("gateway dispatch failed; retrying at the next poll")

    def _dispatch(self) -> None:
        with self._idle:
            capacity = self.workers - self._inflight
        if capacity <= 0:
            return
        for job in self._claim(capacity):
            with self._idle:
                self._inflight += 1
            assert self._pool is not None
            self._pool.submit(self._work, job)

    def _ready_heads(self, now: datetime) -> list[Effect]:
        """The first pending effect of every lane, when it is due, unclaimed and has what it needs."""
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
            return [
                e
                for e in due
                if self.deliverer.is_ready(
                    e.kind, e.payload, incidents.get(e.incident_id) if e.incident_id is not None else None
                )
            ]

    def _claim(self, capacity: int) -> list[Job]:
        now = self.ctx.clock()
        candidates = self._ready_heads(now)[:capacity]
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

    # -- workers -----------------------------------------------------------------------------------

    def _work(self, job: Job) -> None:
        try:
            try:
                outcome = self.deliverer.deliver(job)
            except Exception as exc:  # a bug, not Slack: retry a few times (a fix may be deployed), then stop
                log.exception("effect %s (%s) raised", job.id, job.kind)
                outcome = (
                    Failed(error=f"internal error: {type(exc).__name__}")
                    if job.attempts >= MAX_ATTEMPTS_ON_BUGS
                    else Retry(error=f"internal error: {type(exc).__name__}")
                )
            self._finish(job, outcome)
        except Exception:
            log.exception("could not record the outcome of effect %s; its lease will expire and it retries", job.id)
        finally:
            with self._idle:
                self._inflight -= 1
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
                log.info("effect %s (%s) will retry in %.1fs: %s", job.id, job.kind, delay, outcome.error)
            else:
                effect.status = EffectStatus.DEAD.value
                effect.done_at = now
                effect.last_error = outcome.error[:500]
                log.error("effect %s (%s) failed for good: %s", job.id, job.kind, outcome.error)
                self._fail_dependents(session, job, outcome, now)

    def _fail_dependents(self, session: Session, job: Job, outcome: Failed, now: datetime) -> None:
        if job.incident_id is None:
            return
        incident = session.get(Incident, job.incident_id)
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
        lanes = [f"inc:{incident.id}:{name}" for name in _PRODUCERS.get(job.kind, ())]
        if lanes:
            session.execute(
                update(Effect)
                .where(Effect.lane.in_(lanes), Effect.status == EffectStatus.PENDING.value)
                .values(status=EffectStatus.DEAD.value, done_at=now, last_error=f"blocked: {job.kind} failed")
                .execution_options(synchronize_session=False)
            )
