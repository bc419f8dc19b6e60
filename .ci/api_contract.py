"""Fuzz the live REST API from its own OpenAPI document with schemathesis, so the two never drift apart.

Starts the Slack emulator and `firebell serve` (SQLite in a temporary directory, a throwaway API token),
declares a few incidents so the API has something to show, then runs `schemathesis run --checks all`
twice with bounded examples: once with a fixed seed (reproducible) and once with a random one (printed,
so a failure can be replayed with `--seed`). Every operation in the document is fuzzed, so an endpoint
added later joins the run by being documented. Exits non-zero on any failure.

Usage: python .ci/api_contract.py [--max-examples N] [--seed S]
"""

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from firebell.emulator import EmulatorServer, SlackDriver, SlackEmulator

FIXED_SEED = 1414
CONFIG = Path(__file__).with_name("schemathesis.toml")  # per-operation settings
INCIDENTS = 3
# One on-call schedule, named as the document's example, so the schedule routes are fuzzed past their 404.
POLICY = """
schedules:
  - name: checkout-primary
    time_zone: Europe/Berlin
    layers:
      - members: [U01ALICE, U02BOB, carol@example.com]
        rotate_every: 1w
        handoff: "mon 09:00"
        start: 2026-01-05
        only: "mon-fri 08:00-20:00"
      - members: [U03DAVE]
        start: 2026-01-05
# Components, so the status page's maintenance routes are fuzzed past "no components".
status_page:
  components:
    - name: Checkout API
    - name: "0"
"""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    """Poll /healthz until the service answers 200 (fail with its log if it exits)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"firebell serve did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


def seed_incidents(emu: SlackEmulator, slack: EmulatorServer, url: str, token: str) -> None:
    """Declare a few incidents (one resolved) through Slack, as people would, and wait until the API lists them."""
    driver = SlackDriver(emu, slack, app_url=f"{url}/slack/events")
    for n in range(1, INCIDENTS + 1):
        driver.slash_command("/incident", f"declare sev{n} Contract check {n}", user="alice", channel="general")
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + 30
    while len(httpx.get(f"{url}/api/v1/incidents", headers=headers, timeout=5).json()) < INCIDENTS:
        if time.monotonic() > deadline:
            sys.exit("the seeded incidents never appeared in the API")
        time.sleep(0.1)


def schemathesis(url: str, token: str, *, seed: int, max_examples: int) -> int:
    """One `schemathesis run` over the whole document; its exit code."""
    command = [
        "schemathesis",
        "--config-file",
        str(CONFIG),
        "run",
        f"{url}/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        "all",
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--no-color",
    ]
    print(f"== schemathesis, seed {seed}, at most {max_examples} examples per operation", flush=True)
    # Run from a scratch directory: schemathesis keeps its state (.schemathesis/) in the working directory.
    with tempfile.TemporaryDirectory() as scratch:
        return subprocess.run(command, check=False, cwd=scratch).returncode  # noqa: S603


def main() -> int:
    """Start the service, fuzz it twice, stop it; non-zero if either run found a failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=40)
    parser.add_argument("--seed", type=int, default=None, help="the second run's seed (random by default)")
    args = parser.parse_args()
    random_seed = args.seed if args.seed is not None else secrets.randbelow(2**31)

    emu = SlackEmulator()
    slack = EmulatorServer(emu)
    slack.start()
    token = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "serve.log"
        policy = Path(folder) / "firebell.yaml"
        policy.write_text(POLICY)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FIREBELL_", "DATABASE_URL"))}
        env.update(
            SLACK_BOT_TOKEN=emu.bot_token,
            SLACK_SIGNING_SECRET=emu.signing_secret,
            SLACK_API_URL=slack.api_url,
            DATABASE_URL=f"sqlite:///{folder}/contract.db",
            FIREBELL_API_TOKEN=token,
            FIREBELL_CONFIG=str(policy),
            FIREBELL_LOG_LEVEL="WARNING",
        )
        with log.open("w") as out:
            process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "firebell", "serve", "--port", str(port)], env=env, stdout=out, stderr=out
            )
        try:
            wait_ready(url, process, log)
            seed_incidents(emu, slack, url, token)
            failed = schemathesis(url, token, seed=FIXED_SEED, max_examples=args.max_examples)
            failed |= schemathesis(url, token, seed=random_seed, max_examples=args.max_examples)
        finally:
            process.terminate()
            process.wait(30)
            slack.stop()
        if "Traceback" in log.read_text():
            print(f"firebell serve logged a traceback:\n{log.read_text()[-3000:]}")
            failed = 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
