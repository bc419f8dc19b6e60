"""One SQLite writer at a time, with requests from people served before background work.

SQLite allows a single writer; its own busy handler polls with sleeps of up to 100 ms, which is
unfair and slow under load. Threads of this process therefore queue here, and the outbox gateway
and scheduler (background) yield to use cases a person is waiting on: commands, buttons, forms (foreground).
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class WriterQueue:
    """A mutex where foreground holders go first; background ones wait while any foreground waits."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._held = False
        self._foreground_waiting = 0

    @contextmanager
    def hold(self, *, background: bool = False) -> Iterator[None]:
        """Hold the writer slot for the duration of the block."""
        with self._condition:
            if background:
                while self._held or self._foreground_waiting:
                    self._condition.wait()
            else:
                self._foreground_waiting += 1
                try:
                    while self._held:
                        self._condition.wait()
                finally:
                    self._foreground_waiting -= 1
            self._held = True
        try:
            yield
        finally:
            with self._condition:
                self._held = False
                self._condition.notify_all()
