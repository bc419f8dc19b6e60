"""AckPriority: work after acks waits while Slack requests are in hand, but is never starved."""

import itertools
import threading
import time

from firebell.slack.ack_priority import AckPriority


def timed_wait(priority: AckPriority) -> float:
    started = time.monotonic()
    priority.wait_for_quiet()
    return time.monotonic() - started


def test_work_goes_ahead_at_once_when_nothing_is_being_acknowledged() -> None:
    assert timed_wait(AckPriority(calm=0.005, max_wait=5)) < 0.5


def test_work_waits_for_acknowledging_to_finish_and_calm_down() -> None:
    priority = AckPriority(calm=0.05, max_wait=5)
    finished = threading.Event()

    def acknowledge_for(seconds: float) -> None:
        with priority.acknowledging():
            time.sleep(seconds)
        finished.set()

    threading.Thread(target=acknowledge_for, args=(0.3,)).start()
    time.sleep(0.05)
    waited = timed_wait(priority)
    assert finished.is_set()
    assert 0.25 + 0.05 - 0.02 <= waited < 2.0  # until the ack was done, plus the calm period


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
