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
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, Protocol

import anyio
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


class InboxRecorder:
    """Records requests in batches on the event loop; `record` returns once the request is durable."""

    def __init__(self, ctx: Context, *, on_recorded: Callable[[], None]) -> None:
        self.ctx = ctx
        self.on_recorded = on_recorded
        self._waiting: list[tuple[inbox.Request, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        # Requests handed in and not yet durable (one acknowledged while the store was slow is among them until
        # its record lands): the inbox is not idle while any is.
        self.outstanding = 0
        # One thread writes: the next batch gathers meanwhile, so a burst costs a few inserts, not one each.
        self._limiter = anyio.CapacityLimiter(1)

    async def record(self, request: inbox.Request) -> None:
        """Record `request` (raises if the store did not take it)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((request, done))
        self.outstanding += 1
        try:
            if self._writer is None or self._writer.done():
                self._writer = asyncio.create_task(self._write())
            await done
        finally:
            self.outstanding -= 1

    async def _write(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await anyio.to_thread.run_sync(inbox.record, self.ctx, [r for r, _ in batch], limiter=self._limiter)
            except Exception as exc:
                log.exception("could not record %d Slack requests in the inbox", len(batch))
                for _, done in batch:
                    done.set_exception(exc)
                continue
            for _, done in batch:
                done.set_result(None)
            self.on_recorded()


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
        # How many requests this process's recorder holds, not yet durable (runtime.py wires it): waited for too.
        self.outstanding_records: Callable[[], int] = lambda: 0
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
                if not self._inflight and not self.outstanding_records() and not inbox.pending_count(self.ctx):
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
