"""Alert storm: Alertmanager-shaped posts of up to 100 alerts, N distinct alerts over G groups, then the same
payloads re-sent twice (as Alertmanager does), against `firebell serve` over HTTP; then the webhook's response
times at a steady 20 posts a second.

The floor is the same rows inserted straight into a schema of their own with one SQLAlchemy Core executemany
per post (no HTTP, no parsing, no dedup): what storing the alerts costs at the least. The floor and Firebell
take turns post by post, so a spell when the machine is slower falls on both.

    python bench/alerts.py [--db sqlite|postgres] [--quick]
"""

import argparse
import contextlib
import hashlib
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import Service, database, fake_slack, firebell_service, percentile
from bench.storm_acks import StormAcks
from firebell.emulator import EmulatorServer, SlackEmulator
from firebell.store.engine import make_engine
from firebell.store.migrate import upgrade
from firebell.store.models import Alert, AlertGroup

TOKEN = "bench-alerts-token"
POLICY = """
alert_sources:
  - name: prometheus
    kind: alertmanager
    token_env: BENCH_ALERTS_TOKEN
    severity_from: {label: severity, map: {critical: SEV2, warning: SEV3}}
    declare: {min_severity: SEV1}
triage_channel: alerts
"""
PER_POST = 100
NOW = datetime(2026, 12, 7, 14, tzinfo=UTC)


def storm_payloads(alerts: int, groups: int, *, prefix: str = "svc") -> list[dict[str, Any]]:
    """`alerts` distinct alerts over `groups` groups, in posts of at most 100 alerts (a group larger than that
    arrives as several posts, as a route's sub-groups or a max_alerts cap would send it)."""
    per_group = alerts // groups
    payloads = []
    for g in range(groups):
        service = f"{prefix}{g:03d}"
        members = [_alert(service, n) for n in range(per_group)]
        for start in range(0, per_group, PER_POST):
            part = start // PER_POST
            payloads.append(
                {
                    "version": "4",
                    "groupKey": f'{{}}/{{part="{part}"}}:{{service="{service}"}}',
                    "truncatedAlerts": 0,
                    "status": "firing",
                    "receiver": "firebell",
                    "groupLabels": {"service": service},
                    "commonLabels": {"service": service},
                    "commonAnnotations": {},
                    "externalURL": "http://alertmanager:9093",
                    "alerts": members[start : start + PER_POST],
                }
            )
    return payloads


def _alert(service: str, n: int) -> dict[str, Any]:
    labels = {
        "alertname": f"HighLatency{n % 7}",
        "service": service,
        "instance": f"node{n}:9100",
        "severity": "warning",
    }
    return {
        "status": "firing",
        "labels": labels,
        "annotations": {"summary": f"p99 latency above 500 ms on node{n}", "runbook_url": "https://wiki/latency"},
        "startsAt": "2026-12-07T13:50:00.123456789Z",
        "endsAt": "2026-12-07T14:30:00Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=latency",
        "fingerprint": hashlib.sha256(json.dumps(sorted(labels.items())).encode()).hexdigest()[:16],
    }


@contextlib.contextmanager
def _floor(db_kind: str) -> Iterator[Callable[[dict[str, Any], int], float]]:
    """A writer that inserts one post's rows with one Core executemany (into a fresh schema); returns seconds."""
    with database(db_kind) as url:
        engine = make_engine(url)
        try:
            upgrade(engine)
            with engine.begin() as conn:
                group_id = conn.execute(
                    insert(AlertGroup).returning(AlertGroup.id),
                    {
                        "source": "prometheus",
                        "group_key": "floor",
                        "group_key_hash": "0" * 64,
                        "status": "open",
                        "truncated_alerts": 0,
                        "created_at": NOW,
                        "updated_at": NOW,
                    },
                ).scalar_one()

            def write(body: dict[str, Any], round_: int) -> float:
                started = time.perf_counter()
                rows = [
                    {
                        "source": "prometheus",
                        "fingerprint": f"{a['fingerprint']}-{round_}",  # distinct: one firing per fingerprint
                        "occurrence": 1,
                        "previous_id": None,
                        "status": "firing",
                        "name": a["labels"]["alertname"],
                        "labels": a["labels"],
                        "annotations": a["annotations"],
                        "starts_at": NOW,
                        "ends_at": None,
                        "first_seen_at": NOW,
                        "last_seen_at": NOW,
                        "deliveries": 1,
                        "group_id": group_id,
                        "generator_url": a["generatorURL"],
                        "silence_url": None,
                        "dashboard_url": None,
                    }
                    for a in body["alerts"]
                ]
                with engine.begin() as conn:
                    conn.execute(insert(Alert), rows)
                return time.perf_counter() - started

            yield write
        finally:
            engine.dispose()


def _steady(client: httpx.Client, url: str, raws: list[bytes], *, rate: float, seconds: float) -> list[float]:
    """Post at a fixed `rate` (open loop: a slow answer does not delay the next post); response times in s."""
    times: list[float] = []
    lock = threading.Lock()

    def one(raw: bytes) -> None:
        started = time.perf_counter()
        answer = client.post(url, content=raw)
        taken = time.perf_counter() - started
        if answer.status_code != 200:
            raise RuntimeError(f"webhook answered {answer.status_code}: {answer.text[:200]}")
        with lock:
            times.append(taken)

    count = int(rate * seconds)
    futures: list[Future[None]] = []
    with ThreadPoolExecutor(32) as pool:
        start = time.perf_counter()
        for i in range(count):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(one, raws[i % len(raws)]))
        for future in futures:
            future.result()
    return times


def run(
    db_kind: str, *, alerts: int, groups: int, resends: int = 2, rate: float = 20, seconds: float = 30
) -> dict[str, Any]:
    """The storm, its floor, and the steady-rate response times on one database."""
    bodies = storm_payloads(alerts, groups)
    raws = [json.dumps(body).encode() for body in bodies]
    passes = 1 + resends
    service_env = {"BENCH_ALERTS_TOKEN": TOKEN}
    floor = 0.0
    with (
        _floor(db_kind) as floor_write,
        database(db_kind) as db_url,
        fake_slack() as (emu, slack),
        firebell_service(emu, slack, db_url, POLICY, env=service_env) as service,
    ):
        triage_channel = emu.add_channel("alerts").id  # every group is below the declare rule: one triage message each
        url = f"{service.url}/api/v1/alerts/prometheus"
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        with httpx.Client(headers=headers, timeout=60) as client:
            pass_seconds = []
            for round_ in range(passes):
                # Post by post, the floor and Firebell take turns: a spell when the machine is slower falls
                # on both alike.
                taken = 0.0
                for body, raw in zip(bodies, raws, strict=True):
                    floor += floor_write(body, round_)
                    started = time.perf_counter()
                    answer = client.post(url, content=raw)
                    taken += time.perf_counter() - started
                    if answer.status_code != 200:
                        raise RuntimeError(f"webhook answered {answer.status_code}: {answer.text[:200]}")
                pass_seconds.append(taken)
            slack_calls = len(emu.calls)
            engine = make_engine(db_url)
            try:
                settled = _settle(engine)  # the coalesced triage edits still waiting out their gap
                triage = [c.method for c in emu.calls if c.args.get("channel") == triage_channel]
                with engine.connect() as conn:
                    stored = conn.exec_driver_sql("SELECT COUNT(*), SUM(deliveries) FROM alerts").one()
                    stored_groups = conn.exec_driver_sql("SELECT COUNT(*) FROM alert_groups").scalar_one()
            finally:
                engine.dispose()
            steady = _steady(client, url, raws, rate=rate, seconds=seconds)
            acks = _acks_during_storm(emu, slack, service, client, url, alerts=alerts, groups=groups, passes=passes)
    received = alerts * passes
    firebell_rate = received / sum(pass_seconds)
    floor_rate = received / floor
    return {
        "db": db_kind,
        "alerts": alerts,
        "groups": groups,
        "posts": len(bodies) * passes,
        "received": received,
        "first_pass_per_second": round(alerts / pass_seconds[0]),
        "resend_per_second": round(alerts * resends / sum(pass_seconds[1:])) if resends else None,
        "per_second": round(firebell_rate),
        "floor_per_second": round(floor_rate),
        "vs_floor": round(firebell_rate / floor_rate, 2),
        "stored_alerts": stored[0],
        "stored_deliveries": int(stored[1] or 0),
        "stored_groups": stored_groups,
        "slack_calls_during_storm": slack_calls,
        "slack_calls_settled": len(emu.calls) if settled else None,
        "triage_posts": triage.count("chat.postMessage"),
        "triage_edits": triage.count("chat.update"),
        "steady_rate": rate,
        "steady_posts": len(steady),
        "steady_p50_ms": round(percentile(steady, 50) * 1000, 1),
        "steady_p99_ms": round(percentile(steady, 99) * 1000, 1),
        **acks,
    }


def _settle(engine: Engine, timeout: float = 120.0) -> bool:
    """Wait until the outbox holds nothing pending (False if it still does after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if not conn.exec_driver_sql("SELECT COUNT(*) FROM effects WHERE status = 'pending'").scalar_one():
                return True
        time.sleep(0.5)
    return False


def _acks_during_storm(
    emu: SlackEmulator,
    slack: EmulatorServer,
    service: Service,
    client: httpx.Client,
    url: str,
    *,
    alerts: int,
    groups: int,
    passes: int,
) -> dict[str, Any]:
    """A second storm of as many new alerts (new groups), sent `passes` times back to back, with slash
    commands acknowledged meanwhile by Firebell and by the bare floor in turns (bench/storm_acks.py). Kept
    apart from the measured storm so its rate and Slack calls stay the storm's own."""
    raws = [json.dumps(body).encode() for body in storm_payloads(alerts, groups, prefix="acks")]
    sampler = StormAcks(emu, slack, service)
    sampler.start()
    started = time.perf_counter()
    try:
        for _ in range(passes):
            for raw in raws:
                answer = client.post(url, content=raw)
                if answer.status_code != 200:
                    raise RuntimeError(f"webhook answered {answer.status_code}: {answer.text[:200]}")
    finally:
        storm_seconds = time.perf_counter() - started
        sampler.stop()
    return {**sampler.figures(), "storm_with_acks_seconds": round(storm_seconds, 1)}


def storm_met(figures: dict[str, Any]) -> bool:
    """The storm's target: at least 0.5x the floor, with every alert stored once and every delivery counted."""
    exact = figures["stored_alerts"] == figures["alerts"] and figures["stored_deliveries"] == figures["received"]
    return bool(figures["vs_floor"] >= 0.5 and exact)


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--quick", action="store_true", help="1,000 alerts over 10 groups, 3 s at 20 posts/s")
    args = parser.parse_args()
    size = (
        {"alerts": 1000, "groups": 10, "seconds": 3} if args.quick else {"alerts": 10_000, "groups": 50, "seconds": 30}
    )
    figures = run(args.db, **size)
    met = {
        "storm_met": storm_met(figures),
        "p99_met": figures["steady_p99_ms"] < 250,
        "storm_acks_met": figures.get("storm_ack_p99_vs_floor", 99) <= 1.5,
    }
    print(json.dumps({**figures, **met}, indent=2))


if __name__ == "__main__":
    main()
