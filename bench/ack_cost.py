"""What an ack costs the service, in figures a busy machine moves little: per acknowledged /incident command,
the interpreter time (GIL held) on the threads that acknowledge, the process's CPU time, and its threads'
voluntary context switches (each a thread woken or put to sleep), Firebell's kinds against the bare async
Bolt app, over bursts of N commands at 16 in flight.

At 16 requests in flight on one event loop, an ack waits for the acks ahead of it: its latency is about the
interpreter time each ack holds times the number in flight, plus the wake-ups it waits on. So the ratio of
these costs to the floor's is what the p99 ratio of bench/ack.py tends to on a quiet machine, and unlike
the p99 it does not move with other processes' load.

    python bench/ack_cost.py [--db sqlite|postgres] [--requests 1200] [--repeat 2]

The GIL figures need py-spy (`pip install py-spy`; reading another process needs ptrace rights).
Acknowledging threads: the event loop's (MainThread) and the inbox's recording thread; the work that
commands queue runs on other threads (the inbox workers) and is not counted here.
"""

import argparse
import collections
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import ack
from bench.harness import Service, database, fake_slack, firebell_service
from bench.load import fire_apart, signed, slash_command_body
from firebell.emulator import SlackDriver, SlackEmulator

ACK_THREADS = ("MainThread", "AnyIO worker thread")
KINDS = {"help": "help", "reads": "status", "writes": "note checking the dashboards", "declares": "declare sev4 Cost"}
RATE = 250  # py-spy samples a second
POLICY = "announcement_channel: incidents\n"
PY_SPY = shutil.which("py-spy") or "py-spy"


def _switches(pid: int) -> int:
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            for line in (task / "status").read_text().splitlines():
                if line.startswith("voluntary_ctxt_switches"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total


def _gil_seconds(raw: Path, names: dict[str, str]) -> float:
    """Seconds the acknowledging threads held the GIL, from py-spy's raw samples."""
    held = collections.Counter[str]()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        thread = stack.split(";", 1)[0]
        match = re.search(r"\((\d+)\)", thread)
        name = thread.split(": ", 1)[-1] if ": " in thread else thread
        if match and match.group(1) in names:
            name = names[match.group(1)]
        held[name] += int(count)
    return sum(n for name, n in held.items() if name.startswith(ACK_THREADS)) / RATE


def _thread_names(pid: int) -> dict[str, str]:
    dump = subprocess.run([PY_SPY, "dump", "-p", str(pid)], capture_output=True, text=True, check=False).stdout
    return {m.group(1): m.group(2) for m in re.finditer(r'Thread (\d+) \(\w+\): "([^"]+)"', dump)}


def burst(emu: SlackEmulator, service: Service, text: str, *, channel: str, n: int, spy: bool) -> dict[str, float]:
    """Fire `n` commands at `service`; its costs per ack while it acknowledged them."""
    user = emu.user_id("alice")
    bodies = []
    for i in range(n):
        url = emu.issue_response_url(user, channel, source="slash_command")
        command = f"{text} {i}" if text.startswith("declare") else text
        bodies.append(slash_command_body(command, user=user, channel=channel, team=emu.team_id, response_url=url))
    requests = signed(bodies, emu.signing_secret)
    pid = service.process.pid
    names = _thread_names(pid) if spy else {}
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "samples.txt"
        recorder = None
        if spy:
            spy_args = [PY_SPY, "record", "-p", str(pid), "-r", str(RATE), "-f", "raw", "-o", str(raw)]
            recorder = subprocess.Popen(
                [*spy_args, "--threads", "--gil", "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            time.sleep(1.0)  # py-spy attaches
        cpu, switches = service.cpu_seconds(), _switches(pid)
        fire_apart(service.url, requests, concurrency=16)
        cpu, switches = service.cpu_seconds() - cpu, _switches(pid) - switches
        gil = 0.0
        if recorder is not None:
            recorder.send_signal(2)
            recorder.wait(30)
            gil = _gil_seconds(raw, names) if raw.exists() else 0.0
    ack.quiet(emu)
    return {"cpu_ms": cpu * 1000 / n, "gil_ms": gil * 1000 / n, "switches": switches / n}


def run(db: str, *, requests: int, repeat: int) -> dict[str, Any]:
    """Costs per ack by kind and for the floor, averaged over `repeat` interleaved bursts; ratios to the floor."""
    spy = shutil.which("py-spy") is not None
    with database(db) as url, fake_slack() as (emu, slack), firebell_service(emu, slack, url, POLICY) as service:
        SlackDriver(emu, slack, app_url=f"{service.url}/slack/events").slash_command(
            "/incident", "declare sev3 Cost room", user="alice", channel="general"
        )
        room = ack.wait_for_room(emu)
        general = str(emu.channel_by_name("general").id)  # type: ignore[union-attr]
        bare = ack.bare_app(emu)
        try:
            for target in (bare, service):
                ack.latencies(emu, target.url, ["help"] * 64, channel=room, concurrency=16)
            measured: dict[str, list[dict[str, float]]] = collections.defaultdict(list)
            for _ in range(repeat):
                measured["floor"].append(burst(emu, bare, "help", channel=room, n=requests, spy=spy))
                for kind, text in KINDS.items():
                    channel = general if kind == "declares" else room
                    measured[kind].append(burst(emu, service, text, channel=channel, n=requests, spy=spy))
        finally:
            bare.stop()
    mean = {k: {f: round(sum(r[f] for r in rs) / len(rs), 3) for f in rs[0]} for k, rs in measured.items()}
    floor = mean["floor"]
    return {
        "db": db,
        "requests": requests,
        "repeat": repeat,
        "per_ack": mean,
        "vs_floor": {
            k: {f: round(v[f] / floor[f], 2) if floor[f] else None for f in ("cpu_ms", "gil_ms")}
            for k, v in mean.items()
            if k != "floor"
        },
        "py_spy": spy,
    }


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=1200)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print(json.dumps(run(args.db, requests=args.requests, repeat=args.repeat), indent=1))


if __name__ == "__main__":
    main()
