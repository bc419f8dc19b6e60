"""Work done after acknowledging a request runs on a pool of its own.

Opening a modal or sending an ephemeral reply waits on Slack, and a command acknowledged first is
carried out afterwards; on the threads that acknowledge, either would hold up the next requests that
must be acknowledged within 3 seconds.
"""

import functools
import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)


class AfterAck:
    """A small thread pool for post-acknowledgement work; failures are logged, never raised."""

    def __init__(
        self, workers: int = 16, name: str = "firebell-after-ack", *, before_each: Callable[[], None] | None = None
    ) -> None:
        self._before_each = before_each
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._idle = threading.Condition()
        self._in_flight = 0
        # Work queued behind a running piece with the same key (in_order_of), oldest first.
        self._waiting: dict[str, deque[Callable[[], None]]] = {}
        self._closed = False

    def run(self, fn: Callable[..., Any], *args: Any, in_order_of: str | None = None, **kwargs: Any) -> None:
        """Run `fn` soon, off the acknowledging thread. Pieces given the same `in_order_of` key run one at a
        time in the order they were given (one war room's commands); others run alongside. After
        `shutdown`, the piece is dropped and logged."""
        job = functools.partial(self._guarded, fn, *args, **kwargs)
        with self._idle:
            if self._closed:
                log.warning("shutting down: dropped work after acknowledging (%s)", getattr(fn, "__name__", fn))
                return
            self._in_flight += 1
            if in_order_of is not None:
                if in_order_of in self._waiting:
                    self._waiting[in_order_of].append(job)
                    return
                self._waiting[in_order_of] = deque()
        try:
            self._pool.submit(job if in_order_of is None else functools.partial(self._in_order, in_order_of, job))
        except RuntimeError:  # shut down between the check above and here
            log.warning("shutting down: dropped work after acknowledging (%s)", getattr(fn, "__name__", fn))
            with self._idle:
                self._in_flight -= 1
                if in_order_of is not None and not self._waiting.get(in_order_of):
                    self._waiting.pop(in_order_of, None)
                self._idle.notify_all()

    def _in_order(self, key: str, job: Callable[[], None]) -> None:
        """Run `job`; the next piece queued under `key` goes to the back of the pool's queue, so one busy
        war room does not keep a thread from the others (while shutting down, it runs here)."""
        while True:
            job()
            with self._idle:
                queue = self._waiting[key]
                if not queue:
                    del self._waiting[key]
                    return
                job = queue.popleft()
            try:
                self._pool.submit(self._in_order, key, job)
                return
            except RuntimeError:  # the pool is shutting down: finish this key's queue on this thread
                continue

    def _guarded(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        try:
            if self._before_each is not None:
                self._before_each()
            fn(*args, **kwargs)
        except Exception:
            log.exception("work after acknowledging failed")
        finally:
            with self._idle:
                self._in_flight -= 1
                if self._in_flight == 0:
                    self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing submitted is queued or running; False if `timeout` seconds pass first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    def shutdown(self) -> None:
        """Finish queued work and stop; later pieces are dropped (logged)."""
        with self._idle:
            self._closed = True
        self._pool.shutdown(wait=True)
