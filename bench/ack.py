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
}


def run(
    emu: SlackEmulator, slack: EmulatorServer, firebell: Service, *, requests: int, concurrency: int
) -> dict[str, Any]:
    """Ack latency per kind of /incident command, and for two floors, all measured in the same run: Bolt's
    async app (the fastest Bolt-on-FastAPI setup, the target's floor) and Bolt's sync app on a worker
    thread (the setup Firebell runs, whose listeners make blocking database calls)."""
    firebell_driver = SlackDriver(emu, slack, app_url=f"{firebell.url}/slack/events")
    firebell_driver.slash_command("/incident", "declare sev3 Benchmark war room", user="alice", channel="general")
    room = wait_for_room(emu)
    general = str(emu.channel_by_name("general").id)  # type: ignore[union-attr]
    texts = {name: [mix[i % len(mix)] for i in range(requests)] for name, mix in GROUPS.items()}
    declares = [f"declare sev3 Ack benchmark {i}" for i in range(max(requests // 4, 10))]
    bare, bare_sync = bare_app(emu), bare_app(emu, sync=True)
    try:
        warm = texts["help"][: concurrency * 4]
        for url in (bare.url, bare_sync.url, firebell.url):
            latencies(emu, url, warm, channel=room, concurrency=concurrency)
        floor = latencies(emu, bare.url, texts["help"], channel=room, concurrency=concurrency).acks
        floor_sync = latencies(emu, bare_sync.url, texts["help"], channel=room, concurrency=concurrency).acks
        measured = {
            name: latencies(emu, firebell.url, group, channel=room, concurrency=concurrency)
            for name, group in texts.items()
        }
        measured["declares"] = latencies(emu, firebell.url, declares, channel=general, concurrency=concurrency)
    finally:
        bare.stop()
        bare_sync.stop()
    floor_p99, sync_p99 = percentile(floor, 99), percentile(floor_sync, 99)
    return {
        "floor": summary(floor),
        "floor_sync": summary(floor_sync),
        **{name: summary(t.acks) for name, t in measured.items()},
        "answered": {name: summary(t.answers) for name, t in measured.items()},
        "p99_vs_floor": {name: round(percentile(t.acks, 99) / floor_p99, 2) for name, t in measured.items()},
        "p99_vs_sync_floor": {name: round(percentile(t.acks, 99) / sync_p99, 2) for name, t in measured.items()},
        "concurrency": concurrency,
        "requests": requests,
    }


def wait_for_room(emu: SlackEmulator) -> str:
    """The first war room, once it exists."""
    channel = emu.wait_for(
        lambda e: next((c for c in e.channels.values() if c.name.startswith("inc-")), None), timeout=30
    )
    return str(channel.id)
