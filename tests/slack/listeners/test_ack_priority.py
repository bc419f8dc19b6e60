"""AckPriority: work after acks waits while Slack requests are in hand, but is never starved."""

import itertools
import threading
import time

from firebell.slack.listeners.ack_priority import AckPriority


def timed_wait(priority: AckPriority) -> float:
    started = time.monotonic()
    priority.wait_for_quiet()
    return time.monotonic() - started


def test_work_goes_ahead_at_once_when_nothing_is_being_acknowledged() -> None:
    assert timed_wait(AckPriority(calm=0.005, max_wait=5)) < 0.5


def acknowledge(priority: AckPriority, *durations: float, apart: float = 0.01) -> threading.Event:
    """Requests handled on other threads, each `apart` after the one before; the event is set once the
    last is done."""
    finished = threading.Event()
    done = threading.Barrier(len(durations) + 1, action=finished.set)

    def handle(seconds: float) -> None:
        with priority.acknowledging():
            time.sleep(seconds)
        done.wait()

    for seconds in durations:
        threading.Thread(target=handle, args=(seconds,)).start()
        time.sleep(apart)
    threading.Thread(target=done.wait).start()
    return finished


def test_after_a_burst_work_waits_for_acknowledging_to_finish_and_calm_down() -> None:
    priority = AckPriority(calm=0.2, max_wait=5, burst_gap=0.1)
    started = time.monotonic()
    finished = acknowledge(priority, 0.3, 0.3)  # two requests 10 ms apart: a burst
    time.sleep(0.05)
    priority.wait_for_quiet()
    waited = time.monotonic() - started
    assert finished.is_set()
    assert 0.31 + 0.2 - 0.03 <= waited < 2.0  # until the last ack was done, plus the calm period


def test_after_a_lone_request_work_waits_only_the_short_calm() -> None:
    priority = AckPriority(calm=1.0, lone_calm=0.1, max_wait=5, burst_gap=0.1)
    started = time.monotonic()
    finished = acknowledge(priority, 0.3)  # one request, none before it: as when a person types
    time.sleep(0.05)
    priority.wait_for_quiet()
    waited = time.monotonic() - started
    assert finished.is_set()
    assert 0.3 + 0.1 - 0.03 <= waited < 0.3 + 0.6  # the ack and the short calm, not the 1 s one


def test_under_endless_acknowledging_one_waiter_per_max_wait_goes_ahead() -> None:
    priority = AckPriority(calm=0.005, max_wait=0.2)
    passed: list[float] = []
    lock = threading.Lock()
    with priority.acknowledging():  # a request in hand for the whole test
        started = time.monotonic()

        def worker() -> None:
            priority.wait_for_quiet()
            with lock:
                passed.append(time.monotonic() - started)

        workers = [threading.Thread(target=worker) for _ in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(5)
    assert len(passed) == 3
    ordered = sorted(passed)
    gaps = [b - a for a, b in itertools.pairwise(ordered)]
    assert all(gap >= 0.15 for gap in gaps), passed  # one at a time, not all at the first deadline
    assert max(passed) < 2.0
