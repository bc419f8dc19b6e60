"""The gateway: delivers the outbox's effects to Slack on a pool of workers.

The store side (claims with leases, outcomes, what to tell people when Slack refuses) is
`firebell.services.outbox`; this loop only decides when to claim, hands urgent work to the workers
first, keeps the leases of what it holds renewed, and holds back a Slack method that answered 429 so
that its backlog waits without holding up any other method's calls.
"""

import itertools
import logging
import os
import queue
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from firebell.services.context import Context
from firebell.services.outbox.claims import DEFAULT_LEASE, Claims
from firebell.services.outbox.outcomes import Failed, Job, Outcome, Retry, backoff_delay
from firebell.services.outbox.record import GIVE_UP_AFTER, Recorder
from firebell.slack.outbox.delivery import Deliverer
from firebell.slack.outbox.ratelimits import MethodHolds, first_call

log = logging.getLogger(__name__)

MAX_ATTEMPTS_ON_BUGS = 8
DISPATCH_DEBOUNCE = 0.002
RECORD_BATCH = 200
BLOCKED_SWEEP_SECONDS = 2.0
_LAST = 99  # the stop signal's place in the workers' queue: after every job


class Gateway:
    """Delivers queued Slack effects reliably: urgent first, in order per lane, retried, never twice."""

    def __init__(
        self,
        ctx: Context,
        deliverer: Deliverer,
        *,
        workers: int = 64,
        poll_interval: float = 0.5,
        lease: timedelta = DEFAULT_LEASE,
        max_backoff: float = 30.0,
        give_up_after: timedelta = GIVE_UP_AFTER,
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
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.claims = Claims(ctx, self.name, lease=lease)
        self.recorder = Recorder(ctx, self.name, backoff=self._backoff, give_up_after=give_up_after)
        self.holds = MethodHolds()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._inflight: set[int] = set()
        self._renewed_at = 0.0
        self._swept_at = 0.0
        # Claimed jobs wait here for a worker, urgent first: a reminder claimed after a batch of topics
        # still goes out before them.
        self._jobs: queue.PriorityQueue[tuple[int, int, Job | None]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._threads: list[threading.Thread] = []
        self._thread: threading.Thread | None = None
        self._recorder: threading.Thread | None = None
        # None, put by stop() once every worker is done, tells the recorder to finish without waiting.
        self._outcomes: queue.Queue[tuple[Job, Outcome] | None] = queue.Queue()
        ctx.db.on_effects_committed(self.wake)

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the dispatcher thread and the workers."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._threads = [
            threading.Thread(target=self._serve, name=f"firebell-gateway-{n}", daemon=True) for n in range(self.workers)
        ]
        for worker in self._threads:
            worker.start()
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
        for _ in self._threads:  # after every claimed job: each finishes and is recorded
            self._jobs.put((_LAST, next(self._order), None))
        for worker in self._threads:
            worker.join()
        self._threads = []
        self._outcomes.put(None)
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
                if not self._inflight and not self.claims.ready(self.ctx.clock(), 1):
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
            if self.before_each is not None:  # claims are writes: acknowledging Slack goes first
                self.before_each()
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
        self.claims.renew(ids)

    def _dispatch(self) -> None:
        # Claim up to twice the workers: the queue holds the rest, so each (database-bound) dispatch round
        # feeds the workers for longer. Queued claims keep their leases renewed.
        with self._idle:
            capacity = 2 * self.workers - len(self._inflight)
            mine = set(self._inflight)
        if capacity < max(1, self.workers // 4) and mine:
            return  # wait until a worthwhile batch can be claimed
        if time.monotonic() - self._swept_at > BLOCKED_SWEEP_SECONDS:
            self._swept_at = time.monotonic()
            self.claims.strand_blocked()
        for job in self.claims.claim(capacity, skip=self.holds.held_kinds(), mine=mine):
            with self._idle:
                self._inflight.add(job.id)
            self._jobs.put((job.urgency, next(self._order), job))

    # -- workers -----------------------------------------------------------------------------------

    def _serve(self) -> None:
        while True:
            _, _, job = self._jobs.get()
            if job is None:
                return
            self._outcomes.put((job, self._work(job)))

    def _work(self, job: Job) -> Outcome:
        method, channel = first_call(job, self.deliverer.directory, self.ctx.policy.announcement_channel)
        wait = self.holds.take(method, channel=channel)
        if wait > 0:  # Slack refused its method (in its channel) lately: do not ask in vain
            return Retry(error="waiting: Slack rate-limits this method", after=wait)
        try:
            if self.before_each is not None:
                self.before_each()
            outcome = self.deliverer.deliver(job)
        except Exception as exc:  # a bug, not Slack: retry a few times (a fix may be deployed), then stop
            log.exception("effect %s (%s) raised", job.id, job.kind)
            error = f"internal error: {type(exc).__name__}"
            # The exception may have come after a Slack call succeeded: check before redoing.
            return Failed(error=error) if job.attempts >= MAX_ATTEMPTS_ON_BUGS else Retry(error=error, uncertain=True)
        if isinstance(outcome, Retry) and outcome.rate_limited:
            self.holds.hold(outcome.rate_limited, outcome.after or 1.0, channel=outcome.channel)
        return outcome

    # -- the recorder ------------------------------------------------------------------------------

    def _record(self) -> None:
        """Write outcomes in batches: one transaction for whatever finished meanwhile."""
        stopping = False
        while True:
            try:
                first = self._outcomes.get(timeout=0.5)
            except queue.Empty:
                first = None
            if first is None:
                stopping = stopping or self._stop.is_set()
                if stopping and not self._inflight_count():
                    return
                continue
            batch = [first]
            while len(batch) < RECORD_BATCH:
                try:
                    item = self._outcomes.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                else:
                    batch.append(item)
            try:
                self.recorder.record(batch)
            except Exception:
                log.exception("could not record %d outcomes; their leases expire and they retry", len(batch))
            finally:
                with self._idle:
                    for job, _ in batch:
                        self._inflight.discard(job.id)
                    self._idle.notify_all()
                self._wake.set()
            if stopping and not self._inflight_count():
                return

    def _inflight_count(self) -> int:
        with self._idle:
            return len(self._inflight)

    def _backoff(self, attempts: int) -> float:
        jitter = random.uniform(0.8, 1.2)  # noqa: S311 (spreads retries, not security)
        return backoff_delay(attempts, cap=self.max_backoff, jitter=jitter)
