"""The inbox's Slack side: record a request as it is acknowledged; workers carry recorded requests out.

`InboxRecorder` runs on Bolt's event loop: concurrent requests are recorded in one insert (the next
batch gathers while one is written), and a request is acknowledged only once its batch committed.
`InboxWorker` claims entries, one per lane at a time and in order (services/inbox.py), and hands each to
the handler of its kind, with the entry marked done by the transaction of the change it makes.
"""

import asyncio
import hashlib
import json
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
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy.exc import DBAPIError

from firebell.services import inbox
from firebell.services.context import Context

log = logging.getLogger(__name__)

# Attempts that met a database error before the entry is given up (each backs off, up to BACKOFF_CAP).
MAX_ATTEMPTS = 12
BACKOFF_CAP = 30.0


def request_key(body: dict[str, Any]) -> str:
    """What recognises a request again when Slack retries it or someone replays it: Slack's trigger_id (one
    per invocation), else the event_id, else a digest of the whole body."""
    for field in ("trigger_id", "event_id"):
        if body.get(field):
            return f"{field}:{body[field]}"[:160]
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return f"body:{digest}"


_Batch = list[tuple[inbox.Request, "asyncio.Future[bool]"]]


class InboxRecorder:
    """Records requests in batches: `record` (on the event loop) returns a future that says True once the
    request is durable, False if `budget` seconds passed first (the record still lands), or raises if the
    store did not take it.

    One thread of its own writes; the next batch gathers on the loop meanwhile, so a burst costs a few
    inserts, not one each. Handing a batch over is one put on a queue and handing it back one
    `call_soon_threadsafe`: the loop does no more per request than append it (with anyio's worker
    threads, `wait_for` and `shield` per request, the machinery took a seventh of the loop's time in a
    burst of `status` commands: bench/ack_cost.py).
    """

    def __init__(self, ctx: Context, *, on_recorded: Callable[[], None], budget: float = 2.0) -> None:
        self.ctx = ctx
        self.on_recorded = on_recorded
        self.budget = budget
        self._gathering: _Batch = []
        self._writing = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._batches: queue.SimpleQueue[tuple[_Batch, asyncio.TimerHandle] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def record(self, request: inbox.Request) -> "asyncio.Future[bool]":
        """Queue `request` for the next insert (on the event loop)."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[bool] = loop.create_future()
        self._gathering.append((request, done))
        if not self._writing:
            if self._thread is None:
                self._loop = loop
                self._thread = threading.Thread(target=self._write, name="firebell-inbox-recorder", daemon=True)
                self._thread.start()
            self._hand_over()
        return done

    def close(self) -> None:
        """Stop the writing thread once what it was handed is written."""
        if self._thread is not None:
            self._batches.put(None)
            self._thread.join(10)
            self._thread = None

    def _hand_over(self) -> None:
        assert self._loop is not None
        batch, self._gathering = self._gathering, []
        self._writing = True
        self._batches.put((batch, self._loop.call_later(self.budget, _give_up_waiting, batch)))

    def _write(self) -> None:
        """The writing thread: one insert per batch, then the loop is told."""
        while (handed := self._batches.get()) is not None:
            batch, timer = handed
            error: Exception | None = None
            try:
                inbox.record(self.ctx, [r for r, _ in batch])
            except Exception as exc:
                log.exception("could not record %d Slack requests in the inbox", len(batch))
                error = exc
            assert self._loop is not None
            try:
                self._loop.call_soon_threadsafe(self._written, batch, timer, error)
            except RuntimeError:  # the loop is closed: nobody waits any more
                return

    def _written(self, batch: "_Batch", timer: asyncio.TimerHandle, error: Exception | None) -> None:
        timer.cancel()
        for _, done in batch:
            if done.done():  # acknowledged already (the budget ran out)
                continue
            if error is None:
                done.set_result(True)
            else:
                done.set_exception(error)
        if error is None:
            self.on_recorded()
        if self._gathering:
            self._hand_over()
        else:
            self._writing = False


def _give_up_waiting(batch: "_Batch") -> None:
    """The budget ran out before the batch committed: its requests are acknowledged anyway."""
    for _, done in batch:
        if not done.done():
            done.set_result(False)


class InboxHandler(Protocol):
    """Carries out entries of one kind."""

    def carry_out(self, entry: inbox.Claimed) -> None:
        """Do what the entry asks and tell the person; database errors propagate (the entry is retried)."""

    def give_up(self, entry: inbox.Claimed, error: str) -> None:
        """Tell the person the entry could not be carried out."""


class InboxWorker:
    """Claims recorded requests and carries them out on a pool: in order per lane, once across processes."""

    def __init__(
        self,
        ctx: Context,
        handlers: dict[str, InboxHandler],
        *,
        workers: int = 4,
        lease: timedelta = timedelta(seconds=6),
        poll_interval: float = 0.5,
        before_each: Callable[[], None] | None = None,
    ) -> None:
        self.ctx = ctx
        self.handlers = handlers
        self.workers = workers
        self.lease = lease
        self.poll_interval = poll_interval
        self.before_each = before_each
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[:60]
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._inflight: dict[int, str] = {}  # entry id -> lane
        self._renewed_at = 0.0
        self._pool: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start claiming (entries left by a crash are picked up once their leases lapse)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="firebell-inbox")
        self._thread = threading.Thread(target=self._run, name="firebell-inbox-dispatcher", daemon=True)
        self._thread.start()
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop claiming; entries in hand are finished (what is left stays recorded for next time)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def wake(self) -> None:
        """New entries were recorded: look now instead of at the next poll."""
        self._wake.set()

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing is in hand and nothing recorded waits (for tests and CLI tools)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._idle:
                if not self._inflight and not inbox.pending_count(self.ctx):
                    return True
                self._idle.wait(0.02)
        return False

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_interval)
            self._wake.clear()
            if self._stop.is_set():
                break
            if self.before_each is not None:
                # Claiming is a write and takes the GIL: not while a burst is being acknowledged (each
                # recorded batch wakes this thread, and on SQLite the next ack's insert would wait for it).
                self.before_each()
            try:
                self._renew()
                self._dispatch()
            except Exception:  # the database may be briefly unavailable; keep the loop alive
                log.exception("inbox dispatch failed; retrying at the next poll")

    def _renew(self) -> None:
        if time.monotonic() - self._renewed_at < self.lease.total_seconds() / 3:
            return
        self._renewed_at = time.monotonic()
        with self._idle:
            ids = list(self._inflight)
        inbox.renew(self.ctx, name=self.name, ids=ids, lease=self.lease)

    def _dispatch(self) -> None:
        with self._idle:
            capacity = 2 * self.workers - len(self._inflight)
            busy = set(self._inflight.values())
        if capacity <= 0:
            return
        for entry in inbox.claim(self.ctx, name=self.name, lease=self.lease, limit=capacity, busy_lanes=busy):
            with self._idle:
                self._inflight[entry.id] = entry.lane
            assert self._pool is not None
            self._pool.submit(self._work, entry)

    def _work(self, entry: inbox.Claimed) -> None:
        try:
            self._carry_out(entry)
        finally:
            with self._idle:
                self._inflight.pop(entry.id, None)
                self._idle.notify_all()
            self._wake.set()  # the next entry of its lane may go now

    def _carry_out(self, entry: inbox.Claimed) -> None:
        handler = self.handlers.get(entry.kind)
        if handler is None:
            log.error("inbox entry %s has a kind nothing handles: %s", entry.id, entry.kind)
            inbox.finish(self.ctx, entry, name=self.name, error=f"no handler for {entry.kind}")
            return
        if self.before_each is not None:
            self.before_each()
        seal = inbox.done_seal(self.ctx, entry, name=self.name)
        try:
            with self.ctx.db.sealing(seal):
                handler.carry_out(entry)
            if not seal.applied:  # it changed nothing (a read, or a refusal): done now
                inbox.finish(self.ctx, entry, name=self.name)
        except inbox.ClaimLost:
            log.warning("inbox entry %s: lease lapsed and another process took it over", entry.id)
        except DBAPIError as exc:
            self._retry(handler, entry, f"database: {type(exc.orig).__name__ if exc.orig else type(exc).__name__}")
        except Exception as exc:
            log.exception("inbox entry %s (%s) failed", entry.id, entry.kind)
            if inbox.finish(self.ctx, entry, name=self.name, error=f"internal error: {type(exc).__name__}"):
                handler.give_up(entry, "internal error")

    def _retry(self, handler: InboxHandler, entry: inbox.Claimed, error: str) -> None:
        """The store failed under the work: try again later, or give up after MAX_ATTEMPTS."""
        try:
            if entry.attempts >= MAX_ATTEMPTS:
                if inbox.finish(self.ctx, entry, name=self.name, error=error):
                    handler.give_up(entry, "the database kept failing")
                return
            jitter = random.uniform(0.8, 1.2)  # noqa: S311 (spreads retries, not security)
            delay = min(BACKOFF_CAP, 0.25 * 2**entry.attempts) * jitter
            log.warning("inbox entry %s will retry in %.1fs: %s", entry.id, delay, error)
            inbox.retry_later(self.ctx, entry, name=self.name, delay=delay, error=error)
        except DBAPIError:
            log.warning("inbox entry %s: the database is down; its lease lapses and it is retried", entry.id)
