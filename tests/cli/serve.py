"""Running `firebell` as a user does, for the CLI tests: a clean environment, a `serve` process, its health."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from firebell.emulator import EmulatorServer, SlackEmulator

FIREBELL = [sys.executable, "-m", "firebell"]


def base_env(**extra: str) -> dict[str, str]:
    """This process's environment without any Firebell or Slack settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FIREBELL_", "DATABASE_URL"))}
    env.update(extra)
    return env


def serve_env(emu: SlackEmulator, slack: EmulatorServer, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a `firebell serve` over HTTP against the emulator, plus `extra`."""
    return base_env(
        SLACK_BOT_TOKEN=emu.bot_token,
        SLACK_SIGNING_SECRET=emu.signing_secret,
        SLACK_API_URL=slack.api_url,
        DATABASE_URL=database_url,
        **extra,
    )


def start_serve(port: int, env: dict[str, str], log_path: Path, *options: str) -> subprocess.Popen[bytes]:
    """`firebell serve --port PORT [options]` in the background, its output in `log_path`."""
    with log_path.open("w") as log:
        return subprocess.Popen(
            [*FIREBELL, "serve", *options, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
        )


def wait_healthy(url: str, process: subprocess.Popen[bytes], log_path: Path, timeout: float = 30) -> None:
    """Poll /healthz until it answers 200 (fails early, with the log, if the process exits)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert process.poll() is None, f"firebell serve exited with {process.returncode}:\n{log_path.read_text()}"
        assert time.monotonic() < deadline, f"firebell serve did not become healthy:\n{log_path.read_text()}"
        time.sleep(0.1)
