"""The pager thread: notifies due page steps as soon as a transaction makes one due (a declare that pages, an
acknowledgement's escalation), and at least every `poll` seconds for steps whose wait ran out.

The page rows are the schedule (services/paging/claims.py); this thread only decides when to look. Several processes
may look at once: each move of a page is claimed by one of them.
"""

import logging
import threading

from firebell.services.context import Context
from firebell.services.paging.claims import send_due_pages

log = logging.getLogger(__name__)


class Pager:
    """Looks for due pages when woken and every `poll` seconds (None: only when woken or told to `look`)."""

    def __init__(self, ctx: Context, *, poll: float | None = 0.25) -> None:
        self.ctx = ctx
        self.poll = poll
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        ctx.db.on_pages_due(self.wake)

    def start(self) -> None:
        """Start the thread; it looks once at start (pages due while the process was down)."""
        self._stop.clear()
        self._wake.set()
        self._thread = threading.Thread(target=self._run, name="firebell-pager", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread (waits for a look in progress)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def wake(self) -> None:
        """Look now (called after a commit that made a page due)."""
        self._wake.set()

    def look(self) -> int:
        """Notify every due step now; returns how many page moves this process claimed."""
        with self._lock:  # one look at a time in this process; other processes are kept apart by the claims
            try:
                return send_due_pages(self.ctx)
            except Exception:  # the database may be briefly unavailable; the next look tries again
                log.exception("paging look failed")
                return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll)
            if self._stop.is_set():
                return
            self._wake.clear()
            self.look()
