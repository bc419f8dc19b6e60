"""On-call at scale: 200 schedules with a year of overrides. Prints JSON.

    python bench/oncall.py [--db sqlite|postgres] [--quick]

Resolution: who is on call for one schedule at one instant (`services.oncall.answers.on_call`: the policy's layers, the
stored anchors, overrides and temporaries), against a floor of one indexed query (the overrides of that schedule
that cover the instant), the two taking turns instant by instant, so a slower spell falls on both.

`/oncall`: the board of all 200 schedules (now, until when, who is next) asked through the signed HTTP edge of
`firebell serve`, one at a time: how long Slack waits for the ack, and for the answer posted to the response_url.
"""

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import bindparam, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import database, driver_for, fake_slack, firebell_service, percentile
from firebell.config import policy_from_mapping
from firebell.services.context import Context
from firebell.services.oncall.anchors import sync_all_anchors
from firebell.services.oncall.answers import on_call
from firebell.store.database import Database
from firebell.store.engine import make_engine
from firebell.store.migrate import upgrade
from firebell.store.models import OncallOverride

START = datetime(2026, 1, 5, tzinfo=UTC)


def _policy(users: list[str], schedules: int) -> str:
    lines = ["announcement_channel: incidents", "schedules:"]
    for i in range(schedules):
        team = [users[(i + k) % len(users)] for k in range(3)]
        lines += [
            f"  - name: s{i:03d}",
            "    time_zone: Europe/Berlin",
            "    layers:",
            f"      - {{members: [{', '.join(team)}], rotate_every: 1w, handoff: 'mon 09:00', start: 2026-01-05,"
            " only: 'mon-fri 08:00-20:00'}",
            f"      - {{members: [{users[(i + 3) % len(users)]}]}}",
        ]
    return "\n".join(lines) + "\n"


def _overrides(engine: Any, users: list[str], schedules: int) -> int:
    """A year of overrides: every schedule, one a week (a day each), by someone of the workspace."""
    rows = [
        {
            "schedule": f"s{i:03d}",
            "user_id": users[(i + week) % len(users)],
            "starts_at": START + timedelta(weeks=week, days=i % 5, hours=9),
            "ends_at": START + timedelta(weeks=week, days=i % 5, hours=33),
            "created_by": users[0],
            "created_at": START,
        }
        for i in range(schedules)
        for week in range(52)
    ]
    with engine.begin() as conn:
        conn.execute(insert(OncallOverride), rows)
    return len(rows)


def resolution(db_kind: str, *, schedules: int, lookups: int) -> dict[str, Any]:
    """on_call per schedule and instant vs one indexed query, interleaved."""
    users = [f"U{n:03d}PERSON" for n in range(40)]
    policy = policy_from_mapping(yaml.safe_load(_policy(users, schedules)), source="bench")
    with database(db_kind) as url:
        engine = make_engine(url)
        try:
            upgrade(engine)
            ctx = Context(db=Database(engine), policy=policy, clock=lambda: START)
            sync_all_anchors(ctx)
            stored = _overrides(engine, users, schedules)
            rng = random.Random(7)
            queries = [(f"s{rng.randrange(schedules):03d}", START + timedelta(seconds=rng.randrange(365 * 86400)))
                       for _ in range(lookups)]  # fmt: skip
            floor = select(OncallOverride.user_id).where(
                OncallOverride.schedule == bindparam("s"),
                OncallOverride.removed_at.is_(None),
                OncallOverride.starts_at <= bindparam("at"),
                OncallOverride.ends_at > bindparam("at"),
            )
            ours, base = [], []
            for name, at in queries:
                started = time.perf_counter()
                on_call(ctx, name, at)
                ours.append(time.perf_counter() - started)
                started = time.perf_counter()
                with engine.connect() as conn:
                    conn.execute(floor, {"s": name, "at": at}).all()
                base.append(time.perf_counter() - started)
        finally:
            engine.dispose()
    return {
        "db": db_kind,
        "schedules": schedules,
        "overrides": stored,
        "lookups": lookups,
        "on_call_median_ms": round(percentile(ours, 50) * 1000, 3),
        "floor_median_ms": round(percentile(base, 50) * 1000, 3),
        "ratio_median": round(percentile(ours, 50) / percentile(base, 50), 2),
        "on_call_p99_ms": round(percentile(ours, 99) * 1000, 3),
        "floor_p99_ms": round(percentile(base, 99) * 1000, 3),
    }


def board(db_kind: str, *, schedules: int, asks: int) -> dict[str, Any]:
    """`/oncall` for every schedule through the HTTP edge: ack and answer times."""
    with fake_slack() as (emu, slack):
        users = [emu.add_user(f"person{n:02d}") for n in range(40)]
        with database(db_kind) as url, firebell_service(emu, slack, url, _policy(users, schedules)) as service:
            engine = make_engine(url)
            try:
                stored = _overrides(engine, users, schedules)
            finally:
                engine.dispose()
            driver = driver_for(emu, slack, service)
            acks, answers, blocks = [], [], 0
            for _ in range(asks):
                started = time.perf_counter()
                result = driver.slash_command("/oncall", "", user=users[0], channel="general")
                acks.append(result.elapsed)
                body = driver.answer(result, timeout=30)
                answers.append(time.perf_counter() - started)
                blocks = len(body.get("blocks") or [])
    return {
        "db": db_kind,
        "schedules": schedules,
        "overrides": stored,
        "asks": asks,
        "ack_p50_ms": round(percentile(acks, 50) * 1000, 1),
        "ack_p99_ms": round(percentile(acks, 99) * 1000, 1),
        "answer_p50_ms": round(percentile(answers, 50) * 1000, 1),
        "answer_p99_ms": round(percentile(answers, 99) * 1000, 1),
        "first_message_blocks": blocks,
    }


def run(db_kind: str, *, quick: bool) -> dict[str, Any]:
    """Both measurements on one database."""
    if quick:
        return {
            "resolution": resolution(db_kind, schedules=20, lookups=50),
            "board": board(db_kind, schedules=20, asks=3),
        }
    return {
        "resolution": resolution(db_kind, schedules=200, lookups=2000),
        "board": board(db_kind, schedules=200, asks=30),
    }


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(json.dumps(run(args.db, quick=args.quick), indent=2))


if __name__ == "__main__":
    main()
