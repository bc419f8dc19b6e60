"""AfterAck: work after acks, in order per key, alongside across keys, failures logged."""

import threading
import time

import pytest

from firebell.slack.listeners.after_ack import AfterAck


def test_pieces_with_one_key_run_one_at_a_time_in_order() -> None:
    pool = AfterAck(workers=4)
    done: list[int] = []
    running, most = [0], [0]
    lock = threading.Lock()

    def piece(i: int) -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.005)
        with lock:
            running[0] -= 1
            done.append(i)

    for i in range(20):
        pool.run(piece, i, in_order_of="channel:C1")
    assert pool.wait_idle(10)
    pool.shutdown()
    assert done == list(range(20))
    assert most[0] == 1


def test_pieces_with_different_keys_run_alongside() -> None:
    pool = AfterAck(workers=4)
    both = threading.Barrier(2, timeout=5)
    met: list[str] = []

    def piece(name: str) -> None:
        both.wait()  # only returns once the other key's piece is running too
        met.append(name)

    pool.run(piece, "a", in_order_of="channel:C1")
    pool.run(piece, "b", in_order_of="channel:C2")
    assert pool.wait_idle(10)
    pool.shutdown()
    assert sorted(met) == ["a", "b"]


def test_a_failing_piece_is_logged_and_the_next_in_line_still_runs(caplog: pytest.LogCaptureFixture) -> None:
    pool = AfterAck(workers=2)
    done: list[str] = []

    def fail() -> None:
        raise RuntimeError("boom")

    pool.run(fail, in_order_of="k")
    pool.run(done.append, "after", in_order_of="k")
    assert pool.wait_idle(10)
    pool.shutdown()
    assert done == ["after"]
    assert "work after acknowledging failed" in caplog.text


def test_a_busy_key_takes_turns_with_the_others() -> None:
    """With one thread, a key with a queue does not keep it: the next piece goes behind other keys'."""
    pool = AfterAck(workers=1)
    started = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def first() -> None:
        started.set()
        release.wait(5)
        order.append("a1")

    pool.run(first, in_order_of="room:A")
    assert started.wait(5)
    pool.run(order.append, "a2", in_order_of="room:A")
    pool.run(order.append, "a3", in_order_of="room:A")
    pool.run(order.append, "b1", in_order_of="room:B")
    release.set()
    assert pool.wait_idle(10)
    pool.shutdown()
    assert order == ["a1", "b1", "a2", "a3"]


def test_work_given_after_shutdown_is_dropped_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    pool = AfterAck(workers=1)
    pool.shutdown()
    done: list[str] = []
    pool.run(done.append, "late", in_order_of="room:A")
    pool.run(done.append, "late")
    assert pool.wait_idle(0.5)  # nothing counted as pending
    assert done == []
    assert "dropped work after acknowledging" in caplog.text
