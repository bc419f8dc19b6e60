"""Declare throughput: incidents declared per second, sustained at a fixed concurrency, with fake Slack
answering at once; then how long the outbox takes to finish every war room.

Each client declares, waits for Firebell's answer ("Declared INC-N", sent through the response_url once
the incident is stored), then declares again: a declare counts when its declarer has been told. The
clients are the emulated workspace's people in turn (one person's declares are carried out in order)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import create_engine, func, select

from bench.harness import Service, percentile
from firebell.emulator import EmulatorServer, SlackDriver, SlackEmulator
from firebell.emulator.state import SEED_USERS
from firebell.store.models import Effect, Incident


def run(
    emu: SlackEmulator, slack: EmulatorServer, firebell: Service, db_url: str, *, seconds: float, concurrency: int
) -> dict[str, Any]:
    """Declare as fast as `concurrency` clients can for `seconds`."""
    driver = SlackDriver(emu, slack, app_url=f"{firebell.url}/slack/events")
    stop = time.monotonic() + seconds
    acks: list[float] = []
    answers: list[float] = []
    failures = 0
    lock = threading.Lock()

    people = list(SEED_USERS)

    def client(worker: int) -> None:
        nonlocal failures
        person = people[worker % len(people)]
        i = 0
        while time.monotonic() < stop:
            sent = time.monotonic()
            result = driver.slash_command(
                "/incident", f"declare sev3 Load {worker}-{i}", user=person, channel="general"
            )
            try:
                told = result.acked_in_time and "Declared" in str(driver.answer(result, timeout=60).get("text"))
            except AssertionError:  # never answered
                told = False
            answered = time.monotonic() - sent
            with lock:
                if told:
                    acks.append(float(result.elapsed))
                    answers.append(answered)
                else:
                    failures += 1
            i += 1

    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(client, range(concurrency)))
    elapsed = time.monotonic() - started
    engine = create_engine(db_url)
    try:
        drained = _drain(engine)
        with engine.connect() as conn:
            declared = int(conn.execute(select(func.count(Incident.id))).scalar_one())
            rooms = int(
                conn.execute(select(func.count(Incident.id)).where(Incident.kickoff_ts.is_not(None))).scalar_one()
            )
    finally:
        engine.dispose()
    return {
        "seconds": round(elapsed, 1),
        "concurrency": concurrency,
        "declared": len(acks),
        "failed": failures,
        "per_second": round(len(acks) / elapsed, 1),
        "ack_p99_ms": round(percentile(acks, 99) * 1000, 1),
        "answer_p99_ms": round(percentile(answers, 99) * 1000, 1),
        "stored": declared,
        "war_rooms_ready": rooms,
        "outbox_drained_after_s": drained,
    }


def _drain(engine: Any, timeout: float = 600) -> float:
    """Seconds until no effect is pending (the war rooms are all set up)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        with engine.connect() as conn:
            if conn.execute(select(Effect.id).where(Effect.status == "pending").limit(1)).first() is None:
                return round(time.monotonic() - started, 1)
        time.sleep(0.5)
    return float("inf")
