"""Ack latency of /incident slash commands at a given concurrency, against Firebell and the bare framework."""

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

import httpx

from bench.harness import Service, free_port, percentile
from bench.load import fire_apart, signed, slash_command_body
from firebell.emulator import EmulatorServer, SlackDriver, SlackEmulator


@dataclass
class Timings:
    """Per request: until the ack, and until the person saw the answer (the ack, or a response_url post)."""

    acks: list[float]
    answers: list[float]


def latencies(emu: SlackEmulator, url: str, texts: list[str], *, channel: str, concurrency: int) -> Timings:
    """Send the commands `concurrency` at a time; the time of each until its ack arrived, and until its
    answer did. An answer not in the ack is waited for at the command's response_url, so the next
    measurement starts with the service idle."""
    user = emu.user_id("alice")
    urls = [emu.issue_response_url(user, channel, source="slash_command") for _ in texts]
    bodies = [
        slash_command_body(text, user=user, channel=channel, team=emu.team_id, response_url=response_url)
        for text, response_url in zip(texts, urls, strict=True)
    ]
    sent = fire_apart(url, signed(bodies, emu.signing_secret), concurrency=concurrency)
    waiting = {response_url.rsplit("/", 1)[1]: s for response_url, s in zip(urls, sent, strict=True) if not s.answered}
    answered_at: dict[str, float] = {}
    deadline = time.monotonic() + 300
    while len(answered_at) < len(waiting):
        for url_id in waiting.keys() - answered_at.keys():
            if (post := emu.first_response(url_id)) is not None:
                answered_at[url_id] = post.at
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(waiting) - len(answered_at)} commands were never answered")
        time.sleep(0.05)
    answers = [
        s.elapsed if s.answered else answered_at[u.rsplit("/", 1)[1]] - s.at for u, s in zip(urls, sent, strict=True)
    ]
    quiet(emu)
    return Timings(acks=[s.elapsed for s in sent], answers=answers)


def quiet(emu: SlackEmulator, calm: float = 0.5, timeout: float = 300) -> None:
    """Wait until the app has made no Slack call for `calm` seconds: what the commands queued (posts,
    war rooms) is done, so it does not run into the next measurement."""
    deadline = time.monotonic() + timeout
    seen = -1
    while time.monotonic() < deadline:
        count = len(emu.calls)
        if count == seen:
            return
        seen = count
        time.sleep(calm)
    raise RuntimeError("the app was still calling Slack after the measurement")


def summary(values: list[float]) -> dict[str, float]:
    """p50 / p99 in milliseconds."""
    return {"p50_ms": round(percentile(values, 50) * 1000, 2), "p99_ms": round(percentile(values, 99) * 1000, 2)}


def bare_app(emu: SlackEmulator, *, sync: bool = False) -> Service:
    """Start the bare Bolt-on-FastAPI app in its own process (Bolt's sync App with `sync`)."""
    port = free_port()
    env = {**os.environ, "SLACK_SIGNING_SECRET": emu.signing_secret}
    log = open(os.devnull, "w")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(
        [
            sys.executable,
            os.path.join(os.path.dirname(__file__), "bare_app.py"),
            "--port",
            str(port),
            *(["--sync"] if sync else []),
        ],
        env=env,
        stdout=log,
        stderr=log,
    )
    service = Service(process=process, url=f"http://127.0.0.1:{port}", log=None)
    wait_ready(service)
    return service


def wait_ready(service: Service) -> None:
    """The bare app has no /healthz: wait until its port answers."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.post(f"{service.url}/slack/events", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("the bare app did not start")


GROUPS = {
    # What responders type during an incident, by what it costs Firebell before it can answer.
    "help": ["help"],  # parsing only: Firebell's edge and Bolt, no store
    "reads": ["status", "timeline"],  # one read transaction
    "writes": ["note checking the dashboards", "update still investigating"],  # a committed write, one incident
    "declares": ["declare sev3 Ack benchmark"],  # a new incident (and its war room, set up afterwards)
}
ROUNDS = 20


def run(
    emu: SlackEmulator,
    slack: EmulatorServer,
    firebell: Service,
    *,
    requests: int,
    concurrency: int,
    rounds: int = ROUNDS,
) -> dict[str, Any]:
    """Ack latency per kind of /incident command, and for two floors: Bolt's async app (the fastest
    Bolt-on-FastAPI setup, the target's floor) and Bolt's sync app on a worker thread (the setup Firebell
    ran before its edge went async).

    Every kind gets `requests` commands, sent in `rounds` bursts interleaved with the other kinds' (each
    round in a rotated order), so that a machine that is slower for a while slows the floor and Firebell
    alike: the pooled p99s are compared. The ratio in each quarter of the rounds is reported too, to show
    how much it moves with the machine."""
    firebell_driver = SlackDriver(emu, slack, app_url=f"{firebell.url}/slack/events")
    firebell_driver.slash_command("/incident", "declare sev3 Benchmark war room", user="alice", channel="general")
    room = wait_for_room(emu)
    general = str(emu.channel_by_name("general").id)  # type: ignore[union-attr]
    texts = {name: [mix[i % len(mix)] for i in range(requests)] for name, mix in GROUPS.items()}
    texts["declares"] = [f"{text} {i}" for i, text in enumerate(texts["declares"])]
    bare, bare_sync = bare_app(emu), bare_app(emu, sync=True)
    try:
        targets = {
            "floor": (bare.url, texts["help"], room),
            "floor_sync": (bare_sync.url, texts["help"], room),
            **{name: (firebell.url, group, general if name == "declares" else room) for name, group in texts.items()},
        }
        for url in (bare.url, bare_sync.url, firebell.url):
            latencies(emu, url, texts["help"][: concurrency * 4], channel=room, concurrency=concurrency)
        measured = {name: Timings(acks=[], answers=[]) for name in targets}
        by_quarter: list[dict[str, list[float]]] = [{name: [] for name in targets} for _ in range(4)]
        names = list(targets)
        for r in range(rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                url, group, channel = targets[name]
                chunk = group[r * len(group) // rounds : (r + 1) * len(group) // rounds]
                timings = latencies(emu, url, chunk, channel=channel, concurrency=concurrency)
                measured[name].acks.extend(timings.acks)
                measured[name].answers.extend(timings.answers)
                by_quarter[r * 4 // rounds][name].extend(timings.acks)
    finally:
        bare.stop()
        bare_sync.stop()
    floors = {name: measured.pop(name).acks for name in ("floor", "floor_sync")}
    floor_p99, sync_p99 = percentile(floors["floor"], 99), percentile(floors["floor_sync"], 99)
    return {
        "floor": summary(floors["floor"]),
        "floor_sync": summary(floors["floor_sync"]),
        **{name: summary(t.acks) for name, t in measured.items()},
        "answered": {name: summary(t.answers) for name, t in measured.items()},
        "p99_vs_floor": {name: round(percentile(t.acks, 99) / floor_p99, 2) for name, t in measured.items()},
        "p99_vs_sync_floor": {name: round(percentile(t.acks, 99) / sync_p99, 2) for name, t in measured.items()},
        # The same ratio in each quarter of the run, to show how much it moves with the machine.
        "p99_vs_floor_by_quarter": {
            name: [round(percentile(q[name], 99) / percentile(q["floor"], 99), 2) for q in by_quarter if q["floor"]]
            for name in measured
        },
        "concurrency": concurrency,
        "requests": requests,
        "rounds": rounds,
    }


def wait_for_room(emu: SlackEmulator) -> str:
    """The first war room, once it exists."""
    channel = emu.wait_for(
        lambda e: next((c for c in e.channels.values() if c.name.startswith("inc-")), None), timeout=30
    )
    return str(channel.id)
