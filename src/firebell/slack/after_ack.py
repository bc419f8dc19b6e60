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

    def run(self, fn: Callable[..., Any], *args: Any, in_order_of: str | None = None, **kwargs: Any) -> None:
        """Run `fn` soon, off the acknowledging thread. Pieces given the same `in_order_of` key run one at a
        time in the order they were given (one war room's commands); others run alongside."""
        with self._idle:
            self._in_flight += 1
            job = functools.partial(self._guarded, fn, *args, **kwargs)
            if in_order_of is not None:
                if in_order_of in self._waiting:
                    self._waiting[in_order_of].append(job)
                    return
                self._waiting[in_order_of] = deque()
        self._pool.submit(job if in_order_of is None else functools.partial(self._in_order, in_order_of, job))

    def _in_order(self, key: str, job: Callable[[], None]) -> None:
        """Run `job`, then whatever was queued behind it under `key`, on this thread."""
        while True:
            job()
            with self._idle:
                queue = self._waiting[key]
                if not queue:
                    del self._waiting[key]
                    return
                job = queue.popleft()

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
        """Finish queued work and stop."""
        self._pool.shutdown(wait=True)
