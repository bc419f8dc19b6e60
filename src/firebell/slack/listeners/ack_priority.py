"""Acknowledging Slack comes before carrying out what was acknowledged.

Slack gives an app 3 seconds to acknowledge a request; the work a command asks for has no such deadline,
and it shares the process's one GIL with the event loop that acknowledges: while a worker thread runs,
the loop gets about half the interpreter. So work done after acks waits until no Slack request has been
in hand for a while: `lone_calm` after a lone request (none started in the `burst_gap` before it, as
when people type), long enough for the rest of a burst to show up; `calm` in a burst, so every request
of the burst is acknowledged first and the work follows. So that work is never starved, one piece
(across all the threads waiting) goes ahead anyway every `max_wait`.

Measured (bench/ack.py, 16 concurrent slash commands on 2 cores): the load generator itself pauses for
a few milliseconds now and then, so with a calm of 5 ms declares slipped into the gaps of a burst; the
acks in flight while one ran were the slowest of the burst (p99 1.4x to 1.7x the floor's over three runs
of interleaved bursts). With 25 ms, 1.0x to 1.3x. The cost is sustained throughput when clients wait
for each answer before sending again (8 such clients: 95 declares/s with 5 ms, 45/s with 25 ms).
After a lone request, 25 ms added itself to the declare-to-war-room time (2.34 L to 2.59 L), and no
wait at all let the first declare of each burst run while the rest of the burst was being acknowledged
(declare ack p99 1.5x to 1.75x the floor's in every quarter of a run); hence 5 ms.
Every forced piece slows the acks in flight while it runs, so `max_wait` is 1 s: at 0.1 s the forced
pieces alone put the p99 at twice the floor's.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class AckPriority:
    """Counts Slack requests being handled; `wait_for_quiet` holds back work while there are any."""

    def __init__(
        self, *, calm: float = 0.025, lone_calm: float = 0.005, max_wait: float = 1.0, burst_gap: float = 0.1
    ) -> None:
        self.calm = calm
        self.lone_calm = lone_calm
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
                # After a lone request the waiting work goes `lone_calm` later, so it is woken; in a burst
                # it looks again every `calm` instead: waking it at every moment no request is in hand
                # took the GIL from the event loop two or three times per ack (bench/ack.py).
                if self._handling == 0 and self._lone:
                    self._changed.notify()

    def wait_for_quiet(self) -> None:
        """Block until no Slack request has been in hand for `lone_calm` seconds after a lone request, or
        `calm` after a burst; or until this thread has waited `max_wait` and nobody else went ahead anyway
        in that time."""
        started = time.monotonic()
        with self._turnstile, self._changed:
            while True:
                now = time.monotonic()
                calm = self.lone_calm if self._lone else self.calm
                if self._handling == 0 and now - self._last_done >= calm:
                    return
                turn = max(started, self._last_forced) + self.max_wait
                if now >= turn:
                    self._last_forced = now
                    return
                wait = min(turn - now, calm)
                if self._handling == 0:
                    wait = min(wait, calm - (now - self._last_done))
                self._changed.wait(wait)
