"""`firebell serve --status-port`: the public status page alone on a second port of the same process, which never
answers Slack's or the API's paths; bad combinations are refused before anything starts."""

import signal
from pathlib import Path

import httpx
from sqlalchemy import Engine

from firebell.emulator import EmulatorServer, SlackEmulator
from tests.cli.serve import serve_env, start_serve, wait_healthy
from tests.cli.test_cli import run
from tests.harness import free_port


def test_the_status_port_serves_only_the_status_page(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, tmp_path: Path
) -> None:
    port, status_port = free_port(), free_port()
    env = serve_env(emu, slack, database_url, FIREBELL_API_TOKEN="cli-api-token")
    log_path = tmp_path / "serve.log"
    process = start_serve(port, env, log_path, "--status-port", str(status_port))
    try:
        url, status_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{status_port}"
        wait_healthy(url, process, log_path)
        page = httpx.get(f"{status_url}/status", timeout=10)
        assert page.status_code == 200 and "All Systems Operational" in page.text
        assert httpx.get(f"{status_url}/status.json", timeout=10).json()["status"]["indicator"] == "none"
        assert httpx.post(f"{status_url}/slack/events", content=b"x", timeout=10).status_code == 404
        auth = {"Authorization": "Bearer cli-api-token"}
        assert httpx.get(f"{status_url}/api/v1/incidents", headers=auth, timeout=10).status_code == 404
        assert httpx.get(f"{status_url}/healthz", timeout=10).status_code == 404
        assert httpx.get(f"{url}/status", timeout=10).status_code == 200  # the main port keeps serving it
        assert httpx.get(f"{url}/api/v1/incidents", headers=auth, timeout=10).status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(15)
    output = log_path.read_text()
    assert process.returncode in (0, -signal.SIGTERM), output
    assert f"status page: also alone on http://127.0.0.1:{status_port}/status" in output
    assert "Application shutdown complete" in output


def test_the_status_port_must_differ_and_the_host_needs_a_port(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine
) -> None:
    env = serve_env(emu, slack, database_url)
    port = free_port()
    same = run(["serve", "--port", str(port), "--status-port", str(port)], env)
    assert same.returncode != 0
    assert f"--status-port {port}: the main service already listens there; pick another port." in same.stderr
    lonely = run(["serve", "--port", str(port), "--status-host", "127.0.0.2"], env)
    assert lonely.returncode != 0
    assert "--status-host needs --status-port" in lonely.stderr
    help_text = run(["serve", "--help"], env).stdout
    assert "--status-port" in help_text and "--status-host" in help_text
