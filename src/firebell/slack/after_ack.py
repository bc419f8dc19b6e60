"""Work done after acknowledging a request runs on a pool of its own.

Opening a modal or sending an ephemeral reply waits on Slack, and a command acknowledged first is
carried out afterwards; on the threads that acknowledge, either would hold up the next requests that
must be acknowledged within 3 seconds.
"""

import logging
import threading
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

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run `fn` soon, off the acknowledging thread."""
        with self._idle:
            self._in_flight += 1
        self._pool.submit(self._guarded, fn, *args, **kwargs)

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
