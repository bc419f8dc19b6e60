"""Benchmark plumbing: a database per run, the Slack emulator, and `firebell serve` as a real process."""

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from firebell.emulator import EmulatorServer, SlackDriver, SlackEmulator

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextlib.contextmanager
def database(kind: str) -> Iterator[str]:
    """A fresh database URL: a temporary SQLite file, or a private PostgreSQL schema dropped afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    base = os.environ.get("BENCH_DATABASE_URL", PG_DEFAULT)
    admin = create_engine(base)
    schema = f"fb_bench_{uuid.uuid4().hex[:8]}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield (
            make_url(base)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Service:
    """`firebell serve` in a child process."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path | None

    def cpu_seconds(self) -> float:
        """User + system CPU time the process has used so far (from /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def rss_mb(self) -> float:
        """Resident memory in MB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        """SIGTERM and wait."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


@contextlib.contextmanager
def firebell_service(
    emu: SlackEmulator, slack: EmulatorServer, db_url: str, policy: str, *, env: dict[str, str] | None = None
) -> Iterator[Service]:
    """Start `firebell serve` against the emulator with the given policy YAML (and `env`); stop it afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "firebell.yaml"
        config.write_text(policy)
        log = Path(folder) / "serve.log"
        port = free_port()
        extra = env or {}
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FIREBELL_", "DATABASE_URL"))}
        env.update(extra)
        env.update(
            SLACK_BOT_TOKEN=emu.bot_token,
            SLACK_SIGNING_SECRET=emu.signing_secret,
            SLACK_API_URL=slack.api_url,
            DATABASE_URL=db_url,
            FIREBELL_CONFIG=str(config),
            FIREBELL_LOG_LEVEL="WARNING",
        )
        with log.open("w") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "firebell", "serve", "--port", str(port)], env=env, stdout=out, stderr=out
            )
        service = Service(process=process, url=f"http://127.0.0.1:{port}", log=log)
        try:
            wait_healthy(service)
            yield service
        finally:
            service.stop()


def wait_healthy(service: Service, timeout: float = 60) -> None:
    """Poll /healthz until the service answers (fail with its log if it exits)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{service.url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if service.process.poll() is not None or time.monotonic() > deadline:
            log = service.log.read_text()[-2000:] if service.log else ""
            raise RuntimeError(f"{service.url} did not start:\n{log}")
        time.sleep(0.1)


@contextlib.contextmanager
def fake_slack(latency: float = 0.0, *, rate_tiers: bool = False) -> Iterator[tuple[SlackEmulator, EmulatorServer]]:
    """The emulator over HTTP, with `latency` seconds added to every Web API call (and, with `rate_tiers`,
    Slack's per-method rate limits)."""
    emu = SlackEmulator(rate_tiers=rate_tiers)
    emu.latency = latency
    server = EmulatorServer(emu)
    server.start()
    try:
        yield emu, server
    finally:
        server.stop()


def driver_for(emu: SlackEmulator, slack: EmulatorServer, service: Service) -> SlackDriver:
    """A driver that signs requests to the service like Slack."""
    return SlackDriver(emu, slack, app_url=f"{service.url}/slack/events")


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]
