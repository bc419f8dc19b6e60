"""A burst of declares: N incidents declared at once on a short cadence, against the fake Slack.

    python bench/burst.py [--db sqlite|postgres] [--incidents 300] [--interval 10] [--window 30]
                          [--latency 0.1] [--tiers] [--quick]

Sends N signed `/incident declare` requests as fast as 32 senders can (every fake Slack call taking
`latency`, 100 ms by default), then watches for `window` seconds
plus one interval. It reports the war-room latency (request sent to kick-off posted), the lateness of
every war-room reminder due in that time after its room existed (the time the fake Slack received the post
minus the due point Firebell recorded), how many first reminders were never posted, and how steadily Slack
was called. With --tiers the emulator applies Slack's per-method rate limits: channel creation (Tier 2,
20 a minute) is throttled for minutes, and reminders in the rooms that exist must still be on time.
Prints JSON.
"""

import argparse
import json
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import itertools

from bench.harness import database, driver_for, fake_slack, firebell_service, percentile
from firebell.emulator import SlackEmulator
from firebell.emulator.state import SEED_USERS
from firebell.services.cadence import reminder_key
from firebell.store.models import Incident, TimelineEvent

POLICY = """
announcement_channel: incidents
severities:
  - {{name: SEV1, description: Significant customer impact, update_interval: {interval}s}}
default_severity: SEV1
"""
SENDERS = 32
LATENCY = 0.1  # each Slack call takes 100 ms, as Slack's own calls roughly do


def run(
    db_kind: str, incidents: int, interval: int, window: float, latency: float = LATENCY, *, tiers: bool = False
) -> dict[str, Any]:
    """Declare `incidents` at once; watch `window` seconds plus one interval; return the figures."""
    with (
        database(db_kind) as db_url,
        fake_slack(latency, rate_tiers=tiers) as (emu, slack),
        firebell_service(emu, slack, db_url, POLICY.format(interval=interval)) as service,
    ):
        driver = driver_for(emu, slack, service)
        sent: dict[str, float] = {}
        acked: list[float] = []
        lock = threading.Lock()

        def declare(i: int) -> int:
            title = f"Burst {i}"
            started = time.time()
            result = driver.slash_command(
                "/incident", f"declare {title}", user=SEED_USERS[i % len(SEED_USERS)], channel="general"
            )
            with lock:
                sent[title] = started
                acked.append(time.time() - started)
            return result.response.status_code

        calls_before = len(emu.calls)
        with ThreadPoolExecutor(SENDERS) as pool:
            statuses = list(pool.map(declare, range(incidents)))
        first_sent = min(sent.values())
        burst_seconds = time.time() - first_sent
        watch_until = first_sent + window + interval
        time.sleep(max(0.0, watch_until - time.time()))
        engine = create_engine(db_url)
        try:
            with engine.connect() as conn:
                rooms = conn.execute(select(Incident.id, Incident.title, Incident.declared_at)).all()
                events = conn.execute(
                    select(TimelineEvent.incident_id, TimelineEvent.data).where(TimelineEvent.kind == "reminder")
                ).all()
        finally:
            engine.dispose()
        figures = _figures(emu, calls_before, sent, rooms, events, until=watch_until - 1.0)
    return figures | {
        "db": db_kind,
        "tiers": tiers,
        "incidents": incidents,
        "interval_s": interval,
        "window_s": window,
        "latency_ms": round(latency * 1000),
        "acks_ok": sum(1 for s in statuses if s == 200),
        "ack_p99_ms": round(percentile(acked, 99) * 1000, 1),
        "burst_seconds": round(burst_seconds, 2),
    }


def _figures(
    emu: SlackEmulator,
    calls_before: int,
    sent: dict[str, float],
    rooms: Any,
    events: Any,
    *,
    until: float,
) -> dict[str, Any]:
    calls = emu.calls[calls_before:]
    posted: dict[str, float] = {}
    duplicates = 0
    for call in calls:
        if call.method != "chat.postMessage" or call.status != 200 or not call.response.get("ok"):
            continue
        key = str(((call.args.get("metadata") or {}).get("event_payload") or {}).get("key", ""))
        if not key:
            continue
        duplicates += key in posted
        posted.setdefault(key, call.at)
    kickoff_at = {room_id: posted.get(f"inc:{room_id}:post_kickoff") for room_id, _, _ in rooms}
    war_room = [at - sent[title] for room_id, title, _ in rooms if (at := kickoff_at[room_id]) is not None]
    lateness: list[float] = []
    first_lateness: list[float] = []
    first_skipped = 0
    waiting_for_room = 0
    misses: dict[int, set[int]] = defaultdict(set)
    by_miss: dict[int, list[float]] = defaultdict(list)
    for room_id, data in events:
        misses[room_id].add(int(data["miss"]))
        due = datetime.fromisoformat(data["due_at"]).timestamp()
        if due > until:
            continue
        kickoff = kickoff_at.get(room_id)
        if kickoff is None or kickoff > due:
            waiting_for_room += 1  # nothing to post in yet when it fell due
            continue
        key = reminder_key(room_id, datetime.fromisoformat(data["last_update_at"]), data["miss"], "room")
        if key not in posted:
            first_skipped += data["miss"] == 1
            continue
        lateness.append(posted[key] - due)
        by_miss[int(data["miss"])].append(posted[key] - due)
        if data["miss"] == 1:
            first_lateness.append(posted[key] - due)
    unclaimed = sum(
        1
        for room_id, _, declared in rooms
        if 1 not in misses[room_id] and declared.timestamp() + _interval(events) < until - 1
    )
    creates = [c for c in calls if c.method == "conversations.create"]
    return {
        "war_rooms": len(war_room),
        "war_room_p50_ms": round(percentile(war_room, 50) * 1000),
        "war_room_p90_ms": round(percentile(war_room, 90) * 1000),
        "war_room_max_ms": round(max(war_room, default=float("nan")) * 1000),
        "reminders_measured": len(lateness),
        "reminder_lateness_p50_ms": round(percentile(lateness, 50) * 1000, 1),
        "reminder_lateness_p99_ms": round(percentile(lateness, 99) * 1000, 1),
        "reminder_lateness_max_ms": round(max(lateness, default=float("nan")) * 1000, 1),
        # The second miss also DMs each commander, the third broadcasts in the announcement channel.
        "reminder_lateness_p99_ms_by_miss": {
            miss: round(percentile(values, 99) * 1000, 1) for miss, values in sorted(by_miss.items())
        },
        "first_reminders_measured": len(first_lateness),
        "first_reminder_lateness_p99_ms": round(percentile(first_lateness, 99) * 1000, 1),
        "first_reminders_skipped": first_skipped,
        "first_due_points_unclaimed": unclaimed,
        "reminders_waiting_for_their_room": waiting_for_room,
        "duplicate_posts": duplicates,
        "channel_creates_ok": sum(1 for c in creates if c.status == 200 and c.response.get("ok")),
        "channel_creates_throttled": sum(1 for c in creates if c.status == 429),
        "slack_calls_throttled": dict(Counter(c.method for c in calls if c.status == 429)),
    } | _call_rate(calls)


def _interval(events: Any) -> float:
    """The cadence interval, from the first reminder's silence (the policy sets one for all)."""
    return next((float(data["silence_seconds"]) for _, data in events if int(data["miss"]) == 1), 0.0)


SETUP_METHODS = frozenset(
    {"conversations.create", "conversations.invite", "conversations.setTopic", "pins.add", "bookmarks.add"}
)


def _call_rate(calls: Any) -> dict[str, Any]:
    """Slack calls per second while the war rooms were being set up (until the last set-up call), and the
    longest pause between two calls in that time."""
    setup = [float(c.at) for c in calls if c.method in SETUP_METHODS]
    if not setup:
        return {"slack_calls": len(calls)}
    start, end = min(float(c.at) for c in calls), max(setup)
    times = sorted(float(c.at) for c in calls if float(c.at) <= end)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    return {
        "slack_calls": len(calls),
        "setup_seconds": round(end - start, 1),
        "setup_calls_per_s": round(len(times) / (end - start), 1) if end > start else None,
        "longest_pause_in_setup_ms": round(max(gaps, default=0.0) * 1000),
    }


def verdict(figures: dict[str, Any]) -> bool:
    """The targets: room reminders within 1 s of their due points, no first reminder skipped, none doubled."""
    return bool(
        figures["reminder_lateness_p99_ms"] <= 1000
        and figures["first_reminders_skipped"] == 0
        and figures["first_due_points_unclaimed"] == 0
        and figures["duplicate_posts"] == 0
    )


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--incidents", type=int, default=300)
    parser.add_argument("--interval", type=int, default=10, help="SEV1 update interval in seconds")
    parser.add_argument("--window", type=float, default=30, help="seconds to watch after the burst (+1 interval)")
    parser.add_argument("--latency", type=float, default=LATENCY, help="seconds each fake Slack call takes")
    parser.add_argument("--tiers", action="store_true", help="the emulator applies Slack's per-method tiers")
    parser.add_argument("--quick", action="store_true", help="a small run that checks the benchmark works (CI)")
    args = parser.parse_args()
    if args.quick:
        args.incidents, args.interval, args.window = 30, 2, 4
    figures = run(args.db, args.incidents, args.interval, args.window, args.latency, tiers=args.tiers)
    print(json.dumps(figures | {"targets_met": verdict(figures)}, indent=2))
    if figures["duplicate_posts"]:
        sys.exit("a message was posted twice")


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    main()
