"""Slack calls made after acknowledging a request run on a pool of their own.

Opening a modal or sending an ephemeral reply waits on Slack; on Bolt's listener threads, a slow Slack
would hold the threads that must acknowledge the next requests within 3 seconds.
"""

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)


class AfterAck:
    """A small thread pool for post-acknowledgement Slack calls; failures are logged, never raised."""

    def __init__(self, workers: int = 16) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="firebell-after-ack")

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run `fn` soon, off the acknowledging thread."""
        self._pool.submit(self._guarded, fn, *args, **kwargs)

    @staticmethod
    def _guarded(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        try:
            fn(*args, **kwargs)
        except Exception:
            log.exception("a Slack call after acknowledging failed")

    def shutdown(self) -> None:
        """Finish queued calls and stop."""
        self._pool.shutdown(wait=True)
