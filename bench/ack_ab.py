"""Ack latency of two versions of Firebell side by side, with the bare async Bolt floor: version A is imported
from OTHER_SRC (a checkout's `src`), version B from this tree. Every kind of each version and the floor
take turns in interleaved bursts, as in bench/ack.py, so a spell of load falls on all of them alike.

    python bench/ack_ab.py /path/to/old/checkout/src [--db sqlite|postgres] [--requests 800] [--rounds 8]
        [--kinds help,reads,writes]
"""

import argparse
import contextlib
import functools
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import ack
from bench.harness import Service, database, fake_slack, firebell_service, percentile
from firebell.emulator import SlackDriver, SlackEmulator

POLICY = "announcement_channel: incidents\n"


def _new_room(emu: SlackEmulator, *, before: set[str]) -> Any:
    return next((c for k, c in emu.channels.items() if c.name.startswith("inc-") and k not in before), None)


def main() -> None:
    """Command-line entry point: prints p99 over the floor's p99 per kind and version, and p50s and means."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("other_src")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--kinds", default="help,reads,writes,declares")
    args = parser.parse_args()
    kinds = args.kinds.split(",")
    with contextlib.ExitStack() as stack:
        emu, slack = stack.enter_context(fake_slack())
        services: dict[str, Service] = {}
        rooms: dict[str, str] = {}
        for name, env in (("A", {"PYTHONPATH": args.other_src}), ("B", {})):
            url = stack.enter_context(database(args.db))
            service = services[name] = stack.enter_context(firebell_service(emu, slack, url, POLICY, env=env))
            before = set(emu.channels)
            SlackDriver(emu, slack, app_url=f"{service.url}/slack/events").slash_command(
                "/incident", f"declare sev3 Room {name}", user="alice", channel="general"
            )
            room = emu.wait_for(functools.partial(_new_room, before=before), timeout=30)
            rooms[name] = str(room.id)
        general = str(emu.channel_by_name("general").id)  # type: ignore[union-attr]
        bare = ack.bare_app(emu)
        stack.callback(bare.stop)
        texts = {k: [ack.GROUPS[k][i % len(ack.GROUPS[k])] for i in range(args.requests)] for k in kinds}
        if "declares" in texts:
            texts["declares"] = [f"{t} {i}" for i, t in enumerate(texts["declares"])]
        targets = {"floor": (bare.url, ["help"] * args.requests, rooms["A"])}
        for kind in kinds:
            for name, service in services.items():
                targets[f"{kind}_{name}"] = (service.url, texts[kind], general if kind == "declares" else rooms[name])
        for url in [bare.url, *(s.url for s in services.values())]:
            ack.latencies(emu, url, ["help"] * 64, channel=rooms["A"], concurrency=16)
        acks: dict[str, list[float]] = {name: [] for name in targets}
        names = list(targets)
        for r in range(args.rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                url, group, channel = targets[name]
                chunk = group[r * len(group) // args.rounds : (r + 1) * len(group) // args.rounds]
                acks[name].extend(ack.latencies(emu, url, chunk, channel=channel, concurrency=16).acks)
    floor = percentile(acks["floor"], 99)
    print(
        json.dumps(
            {
                "floor_p99_ms": round(floor * 1000, 2),
                "p99_vs_floor": {n: round(percentile(v, 99) / floor, 2) for n, v in acks.items() if n != "floor"},
                "p50_ms": {n: round(percentile(v, 50) * 1000, 2) for n, v in acks.items()},
                "mean_ms": {n: round(sum(v) / len(v) * 1000, 2) for n, v in acks.items()},
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
