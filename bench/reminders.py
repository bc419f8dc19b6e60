"""Reminder lateness at scale: N open SEV1 incidents on a short cadence against the fake Slack.

    python bench/reminders.py [--db sqlite|postgres] [--incidents 1000] [--interval 10] [--measure 30]

Declares N incidents through the signed HTTP edge, waits until their setup is delivered, then measures,
for every reminder due in the measurement window, its lateness: the time the fake Slack received the
post minus the due point Firebell recorded. Then it pushes every due point an hour out and measures the
idle process's CPU use. Prints JSON.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, update

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import Service, database, driver_for, fake_slack, firebell_service, percentile
from firebell.emulator.state import SEED_USERS
from firebell.services.cadence import reminder_key
from firebell.store.models import Effect, Incident, TimelineEvent

POLICY = """
announcement_channel: incidents
severities:
  - {{name: SEV1, description: Significant customer impact, update_interval: {interval}s}}
default_severity: SEV1
"""


def run(db_kind: str, incidents: int, interval: int, measure: float, idle_seconds: float) -> dict[str, Any]:
    """Run the benchmark once; return its figures."""
    with (
        database(db_kind) as db_url,
        fake_slack() as (emu, slack),
        firebell_service(emu, slack, db_url, POLICY.format(interval=interval)) as service,
    ):
        engine = create_engine(db_url)
        try:
            return _measure(emu, slack, service, engine, incidents, interval, measure, idle_seconds) | {"db": db_kind}
        finally:
            engine.dispose()


def _measure(  # noqa: PLR0917 (the benchmark's knobs, passed straight through)
    emu: Any, slack: Any, service: Service, engine: Any, incidents: int, interval: int, measure: float, idle: float
) -> dict[str, Any]:
    driver = driver_for(emu, slack, service)
    started = time.monotonic()

    def declare(i: int) -> Any:
        # Incidents are declared evenly over one interval, as a steady state would have them, so their
        # due points are spread rather than all falling in the same second.
        # The workspace's people take turns: one person's declares are carried out one after another.
        time.sleep(max(0.0, started + i * interval / incidents - time.monotonic()))
        person = SEED_USERS[i % len(SEED_USERS)]
        return driver.slash_command("/incident", f"declare sev1 Outage {i}", user=person, channel="general")

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(declare, range(incidents)))
    assert all(r.response.status_code == 200 for r in results)
    declare_seconds = time.monotonic() - started
    _wait_setup(engine, incidents)
    _wait_caught_up(engine)  # reminders queued while the war rooms were being set up are delivered
    window_start = datetime.now().astimezone()
    _profile(service, measure)
    time.sleep(measure)
    window_end = datetime.now().astimezone()
    time.sleep(2)  # let posts for the window's last due points arrive
    figures = _lateness(emu, engine, window_start, window_end, incidents)
    with engine.begin() as conn:  # nothing due for a long time: the process is idle
        conn.execute(update(Incident).values(next_update_due_at=datetime.now().astimezone().replace(year=2100)))
    time.sleep(2)
    cpu_before, wall_before = service.cpu_seconds(), time.monotonic()
    time.sleep(idle)
    idle_cpu = (service.cpu_seconds() - cpu_before) / (time.monotonic() - wall_before)
    return figures | {
        "incidents": incidents,
        "interval_s": interval,
        "declare_seconds": round(declare_seconds, 1),
        "idle_cpu_percent": round(idle_cpu * 100, 2),
        "rss_mb": round(service.rss_mb(), 1),
    }


def _profile(service: Service, seconds: float) -> None:
    """With BENCH_PROFILE=<file>, record the service with py-spy during the window (for tuning): only
    samples holding the GIL, so threads waiting on Slack or the database do not drown out the work."""
    if not os.environ.get("BENCH_PROFILE"):
        return
    command = ["py-spy", "record", "-o", os.environ["BENCH_PROFILE"], "-f", "raw", "-d", str(int(seconds))]
    subprocess.Popen(
        [*command, "-p", str(service.process.pid), "--threads", "--gil"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_setup(engine: Any, incidents: int) -> None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            rooms = conn.execute(select(Incident.id).where(Incident.kickoff_ts.is_not(None))).all()
            setup_pending = conn.execute(
                select(Effect.id).where(Effect.status == "pending", Effect.kind != "post_reminder").limit(1)
            ).first()
        if len(rooms) == incidents and setup_pending is None:
            return
        time.sleep(0.5)
    raise RuntimeError("war rooms were not set up in time")


def _wait_caught_up(engine: Any) -> None:
    """Wait for steady state: no reminder has waited in the outbox for more than a second."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        stale = datetime.now().astimezone() - timedelta(seconds=1)
        with engine.connect() as conn:
            backlog = conn.execute(
                select(Effect.id).where(Effect.status == "pending", Effect.created_at < stale).limit(1)
            ).first()
        if backlog is None:
            return
        time.sleep(0.5)
    raise RuntimeError("the reminder backlog did not drain")


def _lateness(emu: Any, engine: Any, start: datetime, end: datetime, incidents: int) -> dict[str, Any]:
    read_at = time.time()  # reminders keep coming: posts after this may be for events not read here
    with engine.connect() as conn:
        rows = conn.execute(
            select(TimelineEvent.id, TimelineEvent.incident_id, TimelineEvent.data, TimelineEvent.at).where(
                TimelineEvent.kind == "reminder"
            )
        ).all()
    due_at = {event_id: datetime.fromisoformat(data["due_at"]) for event_id, _, data, _ in rows}
    claimed_at = {event_id: at for event_id, _, _, at in rows}
    incident_of = {event_id: incident_id for event_id, incident_id, _, _ in rows}
    event_of = {
        reminder_key(incident_id, datetime.fromisoformat(data["last_update_at"]), data["miss"], "room"): event_id
        for event_id, incident_id, data, _ in rows
    }
    per_point = Counter((incident_id, data["due_at"]) for _, incident_id, data, _ in rows)
    posts: dict[int, float] = {}
    duplicates = 0
    for call in emu.calls_to("chat.postMessage"):
        key = ((call.args.get("metadata") or {}).get("event_payload") or {}).get("key", "")
        if ":reminder:" not in key or not key.endswith(":room") or call.status != 200:
            continue
        if key not in event_of:
            if call.at >= read_at:
                continue
            raise RuntimeError(f"a reminder was posted with no reminder on the timeline: {key}")
        event_id = event_of[key]
        if event_id in posts:
            duplicates += 1
        posts[event_id] = call.at
    in_window = [e for e, due in due_at.items() if start <= due <= end]
    lateness = [posts[e] - due_at[e].timestamp() for e in in_window if e in posts]
    if os.environ.get("BENCH_SERIES"):  # worst lateness per second of due time, to see spikes
        worst: dict[int, float] = {}
        for e in in_window:
            if e in posts:
                second = int(due_at[e].timestamp())
                worst[second] = max(worst.get(second, 0.0), posts[e] - due_at[e].timestamp())
        print(" ".join(f"{v:.2f}" for _, v in sorted(worst.items())), file=sys.stderr)
    claim = [(claimed_at[e] - due_at[e]).total_seconds() for e in in_window]
    delivery = [posts[e] - claimed_at[e].timestamp() for e in in_window if e in posts]
    missing = [e for e in in_window if e not in posts]
    reminded = {incident_of[e] for e in in_window}
    return {
        "reminders_in_window": len(in_window),
        "incidents_reminded_in_window": len(reminded),
        "missing_posts": len(missing),
        "duplicate_posts": duplicates,
        "duplicate_due_points": sum(1 for n in per_point.values() if n > 1),
        "lateness_p50_ms": round(percentile(lateness, 50) * 1000, 1),
        "lateness_p99_ms": round(percentile(lateness, 99) * 1000, 1),
        "lateness_max_ms": round(max(lateness, default=float("nan")) * 1000, 1),
        "claim_p50_ms": round(percentile(claim, 50) * 1000, 1),
        "claim_p99_ms": round(percentile(claim, 99) * 1000, 1),
        "delivery_p50_ms": round(percentile(delivery, 50) * 1000, 1),
        "delivery_p99_ms": round(percentile(delivery, 99) * 1000, 1),
        "every_incident_reminded": len(reminded) == incidents,
    }


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--interval", type=int, default=10, help="SEV1 update interval in seconds")
    parser.add_argument("--measure", type=float, default=30, help="seconds of due points to measure")
    parser.add_argument("--idle", type=float, default=10, help="seconds to measure idle CPU")
    parser.add_argument("--quick", action="store_true", help="a small run that checks the benchmark works (CI)")
    args = parser.parse_args()
    if args.quick:
        args.incidents, args.interval, args.measure, args.idle = 30, 2, 4, 1
    figures = run(args.db, args.incidents, args.interval, args.measure, args.idle)
    print(json.dumps(figures, indent=2))
    # Correctness is checked on every run; speed is for people to read (machines are noisy).
    broken = figures["missing_posts"] or figures["duplicate_posts"] or figures["duplicate_due_points"]
    if broken or not figures["every_incident_reminded"]:
        sys.exit("reminders were lost or repeated")


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    main()
