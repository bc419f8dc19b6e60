"""`firebell serve --socket-mode` as a user runs it: a real process on Socket Mode, the emulator as Slack."""

import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine

from firebell.emulator import EmulatorServer, SlackDriver, SlackEmulator
from tests.cli.serve import FIREBELL, base_env, start_serve, wait_healthy
from tests.harness import free_port

# What slack_sdk's builtin client logs (through Bolt's logger) when the app closes its WebSocket.
SOCKET_CLOSED = "closed the Socket Mode connection"


@contextmanager
def serving_over_socket_mode(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """`firebell serve --socket-mode` (no signing secret), healthy and connected; SIGTERM on exit."""
    port = free_port()
    env = base_env(
        SLACK_BOT_TOKEN=emu.bot_token,
        SLACK_APP_TOKEN=emu.app_token,
        SLACK_API_URL=slack.api_url,
        DATABASE_URL=database_url,
    )
    process = start_serve(port, env, log_path, "--socket-mode")
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process, log_path)
        emu.socket_mode.wait_for_connection(timeout=15)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(15)


def test_serve_over_socket_mode(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, tmp_path: Path
) -> None:
    log_path = tmp_path / "serve.log"
    with serving_over_socket_mode(emu, slack, database_url, log_path) as process:
        with SlackDriver(emu, slack, socket_mode=True) as driver:
            result = driver.slash_command("/incident", "declare sev1 Over the socket", user="alice", channel="general")
        assert result.via == "socket" and result.acked_in_time, emu.violations
        assert result.json() == {}  # acknowledged at once, then answered through the response_url
        assert "Declared *INC-1*" in driver.answer(result)["text"]
        room = emu.wait_for(lambda e: e.channel_by_name("inc-1-over-the-socket"), timeout=15)
        emu.wait_for(lambda e: any(m.pinned for m in e.messages(room.id)), timeout=15)
    output = log_path.read_text()
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells how it ended.
    assert process.returncode in (0, -signal.SIGTERM), output
    assert "connected to Slack over Socket Mode" in output
    assert "Application shutdown complete" in output
    emu.wait_for(lambda e: not e.socket_mode.connections)  # the WebSocket went away with the process
    assert emu.violations == []
    for secret in (emu.bot_token, emu.app_token):
        assert secret not in output


def test_sigterm_closes_the_socket_before_the_runtime_stops(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, tmp_path: Path
) -> None:
    """Slack traffic must stop before the gateway and the database go, and the link must be closed at all."""
    log_path = tmp_path / "serve.log"
    with serving_over_socket_mode(emu, slack, database_url, log_path) as process:
        pass
    output = log_path.read_text()
    assert process.returncode in (0, -signal.SIGTERM), output
    assert SOCKET_CLOSED in output, f"the Socket Mode handler was never closed:\n{output}"
    assert output.index(SOCKET_CLOSED) < output.index("Application shutdown complete"), output


def test_a_wrong_app_token_is_a_clear_startup_error(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine
) -> None:
    env = base_env(
        SLACK_BOT_TOKEN=emu.bot_token,
        SLACK_APP_TOKEN=emu.bot_token,  # a bot token where the app-level token belongs
        SLACK_API_URL=slack.api_url,
        DATABASE_URL=database_url,
    )
    result = subprocess.run(
        [*FIREBELL, "serve", "--socket-mode", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Slack refused SLACK_APP_TOKEN for Socket Mode (not_allowed_token_type)" in result.stderr
    assert emu.bot_token not in result.stderr
