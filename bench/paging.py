"""Paging: time to page, and 1,000 pages in flight. Prints JSON.

    python bench/paging.py [--db sqlite|postgres] [--quick]

Time to page: an Alertmanager alert that meets its source's declare rule is posted to `firebell serve`; the clock
stops when the emulated Slack receives the on-call person's DM (each trial pages a person never DMed before, so
the DM channel has to be opened). Every emulated Slack call takes L = 100 ms; the floor is the two calls that must
happen one after the other (conversations.open, then chat.postMessage): 2 L. Measured alone, and again while an
alert storm (warning alerts over many groups, triaged) is posted.

Pages in flight: 1,000 open pages over 200 schedules, each escalation step 30 s, their due points spread over a
step, put in the store as a steady state would have them; for every step due in the measurement window, the
lateness of its DM (Slack receiving it minus the due point), and whether any DM went out twice or not at all.
"""

import argparse
import json
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.alerts import storm_payloads
from bench.harness import database, fake_slack, firebell_service, percentile
from firebell.emulator import SlackEmulator
from firebell.store.engine import make_engine
from firebell.store.models import Incident
from firebell.store.paging_models import Page

TOKEN = "bench-paging-token"
SOURCE = """
announcement_channel: incidents
alert_sources:
  - name: prometheus
    kind: alertmanager
    token_env: BENCH_ALERTS_TOKEN
    service_label: service
    severity_from: {label: severity, map: {critical: SEV2, warning: SEV3}}
    declare: {min_severity: SEV2}
triage_channel: alerts
paging:
  page_on_declare: SEV2
"""
STEP = 30  # seconds: the escalation step of the pages in flight


def _oncall_policy(users: list[str], *, step: str, next_step: bool) -> str:
    """One service, schedule and escalation policy per user (a second step: the next user's schedule)."""
    lines = ["services:"]
    lines += [f"  - {{name: svc{i:03d}, escalation_policy: p{i:03d}}}" for i in range(len(users))]
    lines.append("schedules:")
    lines += [f"  - {{name: s{i:03d}, layers: [{{members: [{u}]}}]}}" for i, u in enumerate(users)]
    lines.append("escalation_policies:")
    for i in range(len(users)):
        steps = f"{{notify: [schedule:s{i:03d}], escalate_after: {step}}}"
        if next_step:
            steps += f", {{notify: [schedule:s{(i + 1) % len(users):03d}], escalate_after: {step}}}"
        lines.append(f"  - {{name: p{i:03d}, steps: [{steps}], repeat: 10}}")
    return "\n".join(lines) + "\n"


def _page_dm_at(emu: SlackEmulator, user: str, since: float) -> float | None:
    for call in emu.calls_to("chat.postMessage"):
        key = ((call.args.get("metadata") or {}).get("event_payload") or {}).get("key", "")
        if call.status == 200 and call.at >= since and key.startswith("page:") and key.endswith(f":{user}"):
            return call.at
    return None


def time_to_page(db_kind: str, *, trials: int, latency: float, storm_alerts: int, storm_groups: int) -> dict[str, Any]:
    """Time from the alert's POST to the on-call DM, alone and during a storm, in multiples of L."""
    with fake_slack(latency) as (emu, slack):
        users = [emu.add_user(f"oncall{i:03d}") for i in range(2 * trials)]
        emu.add_channel("alerts")
        policy = SOURCE + _oncall_policy(users, step="5m", next_step=False)
        with (
            database(db_kind) as db_url,
            firebell_service(emu, slack, db_url, policy, env={"BENCH_ALERTS_TOKEN": TOKEN}) as service,
        ):
            url = f"{service.url}/api/v1/alerts/prometheus"
            headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
            with httpx.Client(headers=headers, timeout=60) as client:
                quiet = [_trial(client, url, emu, users, i) for i in range(trials)]
                stop = threading.Event()
                storm = threading.Thread(target=_storm, args=(url, storm_alerts, storm_groups, stop), daemon=True)
                storm.start()
                time.sleep(1.0)  # the storm is under way
                stormy = [_trial(client, url, emu, users, trials + i) for i in range(trials)]
                stop.set()
                storm.join(120)
    figure = {}
    for name, seconds in (("quiet", quiet), ("storm", stormy)):
        figure[name] = {
            "median_ms": round(percentile(seconds, 50) * 1000, 1),
            "p99_ms": round(percentile(seconds, 99) * 1000, 1),
            "median_L": round(percentile(seconds, 50) / latency, 2),
            "p99_L": round(percentile(seconds, 99) / latency, 2),
        }
    return {"db": db_kind, "trials": trials, "latency_ms": latency * 1000, "floor_L": 2.0, **figure}


def _trial(client: httpx.Client, url: str, emu: SlackEmulator, users: list[str], i: int) -> float:
    service = f"svc{i:03d}"
    alert = {
        "status": "firing",
        "labels": {"alertname": "CheckoutDown", "service": service, "severity": "critical"},
        "annotations": {"summary": "Checkout is failing"},
        "startsAt": datetime.now(UTC).isoformat(),
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph",
        "fingerprint": f"ttp{i:06d}",
    }
    body = {
        "version": "4",
        "groupKey": f'{{}}:{{service="{service}"}}',
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "firebell",
        "groupLabels": {"service": service},
        "commonLabels": alert["labels"],
        "commonAnnotations": alert["annotations"],
        "externalURL": "http://alertmanager:9093",
        "alerts": [alert],
    }
    started = time.time()
    answer = client.post(url, json=body)
    if answer.status_code != 200:
        raise RuntimeError(f"webhook answered {answer.status_code}: {answer.text[:200]}")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        at = _page_dm_at(emu, users[i], started)
        if at is not None:
            time.sleep(0.3)  # a gap between trials
            return at - started
        time.sleep(0.005)
    raise RuntimeError(f"no page DM reached {users[i]} within 30 s")


def _storm(url: str, alerts: int, groups: int, stop: threading.Event) -> None:
    bodies = storm_payloads(alerts, groups, prefix="storm")
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    with httpx.Client(headers=headers, timeout=60) as client:
        while not stop.is_set():
            for body in bodies:
                if stop.is_set():
                    return
                client.post(url, json=body)


def in_flight(db_kind: str, *, pages: int, schedules: int, window: float) -> dict[str, Any]:
    """Lateness of every page step due in the window, with `pages` pages open over `schedules` schedules."""
    with fake_slack() as (emu, slack):
        users = [emu.add_user(f"p{i:03d}") for i in range(schedules)]
        # Each incident's war room, the bot in it: every step reached is also told there, as in production.
        rooms = [emu.add_channel(f"inc-{n}", [emu.bot_user_id]).id for n in range(pages)]
        policy = "announcement_channel: incidents\n" + _oncall_policy(users, step=f"{STEP}s", next_step=True)
        with database(db_kind) as db_url, firebell_service(emu, slack, db_url, policy):
            engine = make_engine(db_url)
            try:
                start = datetime.now(UTC) + timedelta(seconds=2)
                due = _put_pages(engine, pages, schedules, rooms, start)
                time.sleep(2 + window)
                end = start + timedelta(seconds=window)
                time.sleep(3)  # posts for the window's last due points
            finally:
                engine.dispose()
    return {"db": db_kind, "pages": pages, "schedules": schedules, "step_s": STEP, **_lateness(emu, due, start, end)}


def _put_pages(engine: Any, pages: int, schedules: int, rooms: list[str], start: datetime) -> dict[int, datetime]:
    """Open incidents, each with a page whose first step falls due evenly over one step from `start`."""
    first_due: dict[int, datetime] = {}
    with Session(engine) as session, session.begin():
        far = start + timedelta(days=365)
        for n in range(pages):
            due = start + timedelta(seconds=STEP * n / pages)
            incident = Incident(number=n + 1, title=f"Outage {n}", severity="SEV1", status="investigating",
                                declared_by="U0BENCH", declared_at=due, updated_at=due, last_update_at=due,
                                next_update_due_at=far, missed_updates=0, channel_id=rooms[n],
                                service=f"svc{n % schedules:03d}")  # fmt: skip
            session.add(incident)
            session.flush()
            page = Page(incident_id=incident.id, target=f"service:svc{n % schedules:03d}", service=incident.service,
                        policy=f"p{n % schedules:03d}", created_at=due, status="active", epoch=0, round=0, step=0,
                        step_since=due, notified=False, next_due_at=due, revision=0)  # fmt: skip
            session.add(page)
            session.flush()
            first_due[page.id] = due
    return first_due


def _lateness(emu: SlackEmulator, first_due: dict[int, datetime], start: datetime, end: datetime) -> dict[str, Any]:
    posts: dict[str, float] = {}
    twice = 0
    for call in emu.calls_to("chat.postMessage"):
        key = ((call.args.get("metadata") or {}).get("event_payload") or {}).get("key", "")
        if call.status != 200 or not key.startswith("page:"):
            continue
        if key in posts:
            twice += 1
        posts.setdefault(key, call.at)
    late: list[float] = []
    missing = 0
    moves = Counter[str]()
    for page_id, first in first_due.items():
        k = 0
        while (due := first + timedelta(seconds=STEP * k)) <= end:
            if due >= start:
                round_, step = divmod(k, 2)
                found = [at for key, at in posts.items() if key.startswith(f"page:{page_id}:0:{round_}:{step}:")]
                if found:
                    late.append(found[0] - due.timestamp())
                    moves["sent"] += 1
                else:
                    missing += 1
            k += 1
    return {
        "steps_due_in_window": moves["sent"] + missing,
        "missing": missing,
        "sent_twice": twice,
        "lateness_p50_ms": round(percentile(late, 50) * 1000, 1),
        "lateness_p99_ms": round(percentile(late, 99) * 1000, 1),
        "lateness_max_ms": round(max(late, default=float("nan")) * 1000, 1),
    }


def run(db_kind: str, *, quick: bool) -> dict[str, Any]:
    """Both measurements on one database."""
    if quick:
        return {
            "time_to_page": time_to_page(db_kind, trials=3, latency=0.1, storm_alerts=500, storm_groups=10),
            "in_flight": in_flight(db_kind, pages=100, schedules=20, window=10),
        }
    return {
        "time_to_page": time_to_page(db_kind, trials=30, latency=0.1, storm_alerts=5000, storm_groups=50),
        "in_flight": in_flight(db_kind, pages=1000, schedules=200, window=60),
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
