"""Acknowledging Slack comes before carrying out what was acknowledged.

Slack gives an app 3 seconds to acknowledge a request; the work a command asks for has no such deadline,
and it shares the process's one GIL with the event loop that acknowledges: while a worker thread runs,
the loop gets about half the interpreter. So work done after acks waits while a Slack request is in
hand. A lone request (none started in the `burst_gap` before it, as when people type) lets work start
as soon as it is acknowledged. In a burst, work also waits until acknowledging has been quiet for
`calm` seconds, so every request of the burst is acknowledged first and the work follows. So that work
is never starved, one piece (across all the threads waiting) goes ahead anyway every `max_wait`.

Measured (bench/ack.py, 16 concurrent slash commands on 2 cores): the load generator itself pauses for
a few milliseconds now and then, so with a calm of 5 ms declares slipped into the gaps of a burst; the
acks in flight while one ran were the slowest of the burst (p99 1.4x to 1.7x the floor's over three runs
of interleaved bursts). With 25 ms, 1.0x to 1.3x. The cost is sustained throughput when clients wait
for each answer before sending again (8 such clients: 95 declares/s with 5 ms, 45/s with 25 ms). A
calm applied to lone requests too added its 25 ms to the declare-to-war-room time (2.34 L to 2.59 L).
Every forced piece slows the acks in flight while it runs, so `max_wait` is 1 s: at 0.1 s the forced
pieces alone put the p99 at twice the floor's.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class AckPriority:
    """Counts Slack requests being handled; `wait_for_quiet` holds back work while there are any."""

    def __init__(self, *, calm: float = 0.025, max_wait: float = 1.0, burst_gap: float = 0.1) -> None:
        self.calm = calm
        self.max_wait = max_wait
        self.burst_gap = burst_gap
        self._changed = threading.Condition()
        # Waiters go through one at a time, so an ack wakes at most one thread, not every waiting one
        # (each woken thread would take the GIL from the event loop just to go back to sleep).
        self._turnstile = threading.Lock()
        self._handling = 0
        self._last_done = 0.0
        self._last_forced = 0.0
        self._last_start = float("-inf")
        self._lone = True  # the latest request started at least burst_gap after the one before it

    @contextmanager
    def acknowledging(self) -> Iterator[None]:
        """Around the handling of one Slack request (on the event loop: never blocks for long)."""
        with self._changed:
            self._handling += 1
            now = time.monotonic()
            self._lone = now - self._last_start >= self.burst_gap
            self._last_start = now
        try:
            yield
        finally:
            with self._changed:
                self._handling -= 1
                self._last_done = time.monotonic()
                if self._handling == 0:
                    self._changed.notify()

    def wait_for_quiet(self) -> None:
        """Block until no Slack request is in hand and, after a burst, none has been for `calm` seconds;
        or until this thread has waited `max_wait` and nobody else went ahead anyway in that time."""
        started = time.monotonic()
        with self._turnstile, self._changed:
            while True:
                now = time.monotonic()
                if self._handling == 0 and (self._lone or now - self._last_done >= self.calm):
                    return
                turn = max(started, self._last_forced) + self.max_wait
                if now >= turn:
                    self._last_forced = now
                    return
                wait = turn - now
                if self._handling == 0:
                    wait = min(wait, self.calm - (now - self._last_done))
                self._changed.wait(wait)
