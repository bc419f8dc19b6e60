"""Firebell's benchmark suite: every figure measured side by side in one run, so a noisy machine cancels out.

    python bench/run.py [--quick] [--json] [--skip-postgres]

It starts `firebell serve` as a real process against the Slack emulator over HTTP and drives it with
signed requests. Targets are checked and reported, never asserted in tests: see README "Performance".
"""

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import ack, alerts, burst, data_scale, oncall, paging, reminders, status_page, throughput, war_room
from bench.harness import database, fake_slack, firebell_service

SERVICE_POLICY = "announcement_channel: incidents\n"

FULL = {
    "ack_requests": 2000,
    "ack_concurrency": 16,
    "ack_rounds": 20,
    "latency": 0.1,
    "war_room_declares": 20,
    "throughput_seconds": 60,
    "throughput_concurrency": 8,
    "reminder_incidents": 1000,
    "reminder_interval": 10,
    "reminder_window": 30,
    "scale_incidents": 10_000,
    "scale_events": 10_000,
    "burst_incidents": 300,
    "burst_interval": 10,
    "burst_window": 30,
    "alert_storm": 10_000,
    "alert_groups": 50,
    "alert_steady_seconds": 30,
    "quick": False,
}
QUICK = {
    "ack_requests": 160,
    "ack_concurrency": 16,
    "ack_rounds": 2,
    "latency": 0.1,
    "war_room_declares": 3,
    "throughput_seconds": 3,
    "throughput_concurrency": 8,
    "reminder_incidents": 30,
    "reminder_interval": 2,
    "reminder_window": 4,
    "scale_incidents": 500,
    "scale_events": 500,
    "burst_incidents": 30,
    "burst_interval": 2,
    "burst_window": 4,
    "alert_storm": 1000,
    "alert_groups": 10,
    "alert_steady_seconds": 3,
    "quick": True,
}


def measure(config: dict[str, Any], databases: list[str]) -> dict[str, Any]:
    """Run every measurement; returns the figures."""
    figures: dict[str, Any] = {"config": config}
    with (
        database("sqlite") as db_url,
        fake_slack() as (emu, slack),
        firebell_service(emu, slack, db_url, SERVICE_POLICY) as service,
    ):
        figures["ack"] = ack.run(
            emu,
            slack,
            service,
            requests=config["ack_requests"],
            concurrency=config["ack_concurrency"],
            rounds=config["ack_rounds"],
        )
        figures["war_room"] = war_room.run(
            emu, slack, service, latency=config["latency"], declares=config["war_room_declares"]
        )
        figures["rss_mb_after_edge"] = round(service.rss_mb(), 1)
    for kind in databases:
        with (
            database(kind) as db_url,
            fake_slack() as (emu, slack),
            firebell_service(emu, slack, db_url, SERVICE_POLICY) as service,
        ):
            figures[f"throughput_{kind}"] = throughput.run(
                emu,
                slack,
                service,
                db_url,
                seconds=config["throughput_seconds"],
                concurrency=config["throughput_concurrency"],
            )
            figures[f"rss_mb_after_throughput_{kind}"] = round(service.rss_mb(), 1)
        figures[f"reminders_{kind}"] = reminders.run(
            kind, config["reminder_incidents"], config["reminder_interval"], config["reminder_window"], 5
        )
        figures[f"scale_{kind}"] = data_scale.run(
            kind, incidents=config["scale_incidents"], events=config["scale_events"]
        )
        figures[f"burst_{kind}"] = burst.run(
            kind, config["burst_incidents"], config["burst_interval"], config["burst_window"]
        )
        figures[f"alerts_{kind}"] = alerts.run(
            kind, alerts=config["alert_storm"], groups=config["alert_groups"], seconds=config["alert_steady_seconds"]
        )
        figures[f"paging_{kind}"] = paging.run(kind, quick=config["quick"])
        figures[f"oncall_{kind}"] = oncall.run(kind, quick=config["quick"])
        figures[f"status_page_{kind}"] = status_page.run(kind, quick=config["quick"])
    figures["burst_tiers"] = burst.run(
        "sqlite", config["burst_incidents"], config["burst_interval"], config["burst_window"], tiers=True
    )
    return figures


def verdicts(f: dict[str, Any], databases: list[str]) -> list[tuple[str, str, str, bool]]:
    """(measure, figure, target, met) rows."""
    a = f["ack"]
    rows = [
        (
            f"ack p99, floors at concurrency {a['concurrency']} ({a['requests']} each, {a['rounds']} rounds)",
            f"async Bolt {a['floor']['p99_ms']} ms; sync Bolt on a thread {a['floor_sync']['p99_ms']} ms",
            "report",
            True,
        ),
    ]
    for name, what in (
        ("help", "help (no store)"),
        ("reads", "status, timeline"),
        ("writes", "note, update"),
        ("declares", "declare"),
    ):
        rows.append(
            (
                f"ack p99, {what}",
                f"{a[name]['p99_ms']} ms = {a['p99_vs_floor'][name]}x async, {a['p99_vs_sync_floor'][name]}x sync"
                f" (quarters {min(a['p99_vs_floor_by_quarter'][name])}-{max(a['p99_vs_floor_by_quarter'][name])}x)",
                "<= 1.5x async",
                a["p99_vs_floor"][name] <= 1.5,
            )
        )
        if name != "help":  # help is answered in its ack
            answered = a["answered"][name]
            rows.append(
                (
                    f"answer through response_url, {what}",
                    f"p50 {answered['p50_ms']} ms, p99 {answered['p99_ms']} ms (in a burst of {a['requests']})",
                    "report",
                    True,
                )
            )
    rows += [
        (
            f"declare to war room, median (L = {f['war_room']['latency_ms']} ms)",
            f"{f['war_room']['median_ms']} ms = {f['war_room']['median_vs_L']} L",
            "<= 2.5 L",
            f["war_room"]["median_vs_L"] <= 2.5,
        ),
    ]
    for kind in databases:
        t, r, s = f[f"throughput_{kind}"], f[f"reminders_{kind}"], f[f"scale_{kind}"]
        rows += [
            (
                f"declare throughput ({kind})",
                f"{t['per_second']}/s for {t['seconds']} s at {t['concurrency']} (answer p99 "
                f"{t['answer_p99_ms']} ms); war rooms done {t['outbox_drained_after_s']} s later",
                "report",
                t["failed"] == 0,
            ),
            (
                f"reminder lateness p99 ({kind})",
                f"{r['lateness_p99_ms']} ms, {r['missing_posts']} missing, {r['duplicate_posts']} doubled",
                "<= 1000 ms, 0, 0",
                r["lateness_p99_ms"] <= 1000 and not r["missing_posts"] and not r["duplicate_posts"],
            ),
            (
                f"idle CPU ({kind})",
                f"{r['idle_cpu_percent']}% of a core",
                "< 5%",
                r["idle_cpu_percent"] < 5,
            ),
            (
                f"postmortem of {s['events']} events ({kind})",
                f"{s['postmortem_ms']} ms vs raw {s['raw_events_ms']} ms = {s['postmortem_vs_raw']}x",
                "<= 3x",
                s["postmortem_vs_raw"] <= 3,
            ),
            (
                f"incident page of 50 of {s['incidents']} ({kind})",
                f"{s['page_ms']} ms vs raw {s['raw_page_ms']} ms = {s['page_vs_raw']}x",
                "<= 3x",
                s["page_vs_raw"] <= 3,
            ),
        ]
    for name in [f"burst_{kind}" for kind in databases] + ["burst_tiers"]:
        b = f[name]
        where = "sqlite, Slack's rate tiers on" if b["tiers"] else b["db"]
        rows += [
            (
                f"burst of {b['incidents']} declares: war room ({where})",
                f"p50 {b['war_room_p50_ms']} ms, max {b['war_room_max_ms']} ms ({b['war_rooms']} rooms"
                f" in {b['interval_s'] + b['window_s']:g} s; L = {b['latency_ms']} ms"
                f"{'; conversations.create refused ' + str(b['channel_creates_throttled']) + 'x' if b['tiers'] else ''})",
                "report",
                True,
            ),
            (
                f"burst of {b['incidents']} declares: reminder lateness p99 ({where})",
                f"{b['reminder_lateness_p99_ms']} ms over {b['reminders_measured']}; first reminders skipped"
                f" {b['first_reminders_skipped']}, unclaimed {b['first_due_points_unclaimed']}",
                "<= 1000 ms, 0, 0",
                burst.verdict(b),
            ),
        ]
    for kind in databases:
        s = f[f"alerts_{kind}"]
        rows += [
            (
                f"alert storm: {s['alerts']} alerts over {s['groups']} groups, sent 3 times ({kind})",
                f"{s['per_second']}/s vs one executemany per post {s['floor_per_second']}/s = {s['vs_floor']}x"
                f" (first pass {s['first_pass_per_second']}/s); {s['stored_groups']} groups,"
                f" {s['stored_alerts']} alerts; Slack calls {s['slack_calls_during_storm']} during the storm,"
                f" {s['slack_calls_settled']} once settled ({s['triage_posts']} triage posts,"
                f" {s['triage_edits']} edits)",
                ">= 0.5x",
                alerts.storm_met(s),
            ),
            (
                f"/incident ack p99 during a second storm, vs the bare floor alongside ({kind})",
                f"{s.get('storm_ack_p99_ms')} ms vs {s.get('storm_floor_p99_ms')} ms"
                f" = {s.get('storm_ack_p99_vs_floor')}x ({s.get('storm_acks')} acks each)",
                "<= 1.5x",
                s.get("storm_ack_p99_vs_floor", 99) <= 1.5,
            ),
            (
                f"alert webhook p99 at {s['steady_rate']:g} posts/s ({kind})",
                f"{s['steady_p99_ms']} ms (p50 {s['steady_p50_ms']} ms, {s['steady_posts']} posts)",
                "< 250 ms",
                s["steady_p99_ms"] < 250,
            ),
        ]
    for kind in databases:
        rows += paging_verdicts(f[f"paging_{kind}"], f[f"oncall_{kind}"], kind)
        sp = f[f"status_page_{kind}"]
        rows.append(
            (
                f"GET /status, {sp['incidents']} incidents of history, {sp['concurrency']} readers each every 1 s ({kind})",
                f"p99 {sp['p99_ms']} ms (p50 {sp['p50_ms']}) vs the same page as a static file {sp['floor_p99_ms']} ms"
                f" = {sp['p99_vs_floor']}x",
                "< 20 ms, <= 3x",
                sp["met"],
            )
        )
    worst_rss = max(v for k, v in f.items() if k.startswith("rss_mb"))
    rows.append(("resident memory after the run", f"{worst_rss} MB", "< 250 MB", worst_rss < 250))
    return rows


def paging_verdicts(p: dict[str, Any], o: dict[str, Any], kind: str) -> list[tuple[str, str, str, bool]]:
    """Rows for time to page, pages in flight and on-call at scale."""
    t, g, r, b = p["time_to_page"], p["in_flight"], o["resolution"], o["board"]
    rows = []
    for name, what in (("quiet", "alone"), ("storm", "during an alert storm")):
        x = t[name]
        rows.append(
            (
                f"time to page, alert to on-call DM, {what} (L = {t['latency_ms']:g} ms, {kind})",
                f"median {x['median_ms']} ms = {x['median_L']} L, p99 {x['p99_ms']} ms = {x['p99_L']} L"
                f" (floor {t['floor_L']} L)",
                "<= 2.5 L, <= 3 L",
                x["median_L"] <= 2.5 and x["p99_L"] <= 3,
            )
        )
    rows += [
        (
            f"{g['pages']} pages in flight over {g['schedules']} schedules, {g['step_s']} s steps ({kind})",
            f"lateness p99 {g['lateness_p99_ms']} ms (max {g['lateness_max_ms']}) over {g['steps_due_in_window']}"
            f" steps; {g['missing']} missing, {g['sent_twice']} sent twice",
            "<= 1000 ms, 0, 0",
            g["lateness_p99_ms"] <= 1000 and not g["missing"] and not g["sent_twice"],
        ),
        (
            f"who is on call, one schedule at one instant, {r['overrides']} overrides ({kind})",
            f"{r['on_call_median_ms']} ms vs one indexed query {r['floor_median_ms']} ms = {r['ratio_median']}x",
            "report",
            True,
        ),
        (
            f"/oncall board of {b['schedules']} schedules ({kind})",
            f"ack p99 {b['ack_p99_ms']} ms; answer p50 {b['answer_p50_ms']} ms, p99 {b['answer_p99_ms']} ms",
            "report",
            True,
        ),
    ]
    return rows


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small numbers: checks the suite works (CI)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--skip-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()
    databases = ["sqlite"] if args.skip_postgres else ["sqlite", "postgres"]
    started = time.monotonic()
    figures = measure(QUICK if args.quick else FULL, databases)
    figures["seconds"] = round(time.monotonic() - started)
    rows = verdicts(figures, databases)
    if args.json:
        print(
            json.dumps(
                {
                    **figures,
                    "verdicts": [dict(zip(("measure", "figure", "target", "met"), r, strict=True)) for r in rows],
                },
                indent=2,
            )
        )
        return
    width = max(len(r[0]) for r in rows)
    for measure_, figure, target, met in rows:
        print(f"{measure_:<{width}}  {figure:<60}  {target:<16}  {'ok' if met else 'MISSED'}")
    print(f"({'quick' if args.quick else 'full'} run, {figures['seconds']} s)")


if __name__ == "__main__":
    main()
