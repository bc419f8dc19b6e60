"""One SQLite writer at a time, served by urgency: acknowledgements, then people's requests, then the rest.

SQLite allows a single writer; its own busy handler polls with sleeps of up to 100 ms, which is
unfair and slow under load. Threads of this process therefore queue here. Recording a Slack request in
the inbox (someone's acknowledgement waits on it, within Slack's 3 s) goes first; use cases a person is
waiting on next; the outbox gateway and scheduler (background) yield to both.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum


class Urgency(IntEnum):
    """Who is waiting on a write; lower goes first."""

    ACK = 0
    FOREGROUND = 1
    BACKGROUND = 2


class WriterQueue:
    """A mutex served by urgency: a holder waits while the slot is held or anyone more urgent waits."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._held = False
        self._waiting = [0] * len(Urgency)

    @contextmanager
    def hold(self, urgency: Urgency = Urgency.FOREGROUND) -> Iterator[None]:
        """Hold the writer slot for the duration of the block."""
        with self._condition:
            self._waiting[urgency] += 1
            try:
                while self._held or any(self._waiting[u] for u in range(urgency)):
                    self._condition.wait()
            finally:
                self._waiting[urgency] -= 1
            self._held = True
        try:
            yield
        finally:
            with self._condition:
                self._held = False
                self._condition.notify_all()
