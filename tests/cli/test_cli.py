"""The `firebell` command as a user runs it: a real process, real HTTP, the emulator as Slack."""

import shutil
import signal
import subprocess
from pathlib import Path

import httpx
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from firebell.emulator import EmulatorServer, SlackDriver, SlackEmulator
from firebell.runbooks.location import SHIPPED
from firebell.store.engine import make_engine
from firebell.store.migrate import alembic_config
from tests.cli.serve import FIREBELL, base_env, serve_env, start_serve, wait_healthy
from tests.database import private_database
from tests.harness import free_port


def run(args: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*FIREBELL, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False)


def test_db_upgrade_on_a_fresh_database(tmp_path: Path) -> None:
    with private_database(str(tmp_path)) as url:
        result = run(["db", "upgrade"], base_env(DATABASE_URL=url))
        assert result.returncode == 0, result.stderr
        head = ScriptDirectory.from_config(alembic_config(make_engine(url))).get_current_head()
        assert f"Database is at revision {head}." in result.stdout
        again = run(["db", "upgrade"], base_env(DATABASE_URL=url))
        assert again.returncode == 0


def test_serve_without_slack_settings_says_what_is_missing(tmp_path: Path) -> None:
    result = run(["serve", "--port", str(free_port())], base_env(DATABASE_URL=f"sqlite:///{tmp_path}/x.db"))
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr and "SLACK_SIGNING_SECRET" in result.stderr


def test_policy_check(tmp_path: Path) -> None:
    bad = tmp_path / "firebell.yaml"
    bad.write_text("severities:\n  - {name: SEV1, description: Down, update_interval: soon}\ndefault_severity: SEV1\n")
    result = run(["policy", "check", str(bad)], base_env())
    assert result.returncode == 2
    assert "severities[0] (SEV1).update_interval" in result.stderr and "'soon'" in result.stderr
    good = tmp_path / "good.yaml"
    good.write_text("severities:\n  - {name: SEV1, description: Down, update_interval: 30s}\ndefault_severity: SEV1\n")
    result = run(["policy", "check", str(good)], base_env())
    assert result.returncode == 0
    assert "SEV1: updates every 30s" in result.stdout
    assert "Permissions: close: commander, declarer; publish: commander\n" in result.stdout  # the defaults, shown
    good.write_text(good.read_text() + "permissions: {severity: [commander, deputy]}\n")
    result = run(["policy", "check", str(good)], base_env())
    assert "Permissions: severity: commander, deputy; close: commander, declarer; publish: commander\n" in result.stdout


def test_serve_end_to_end_and_keeps_secrets_out_of_logs(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, tmp_path: Path
) -> None:
    port = free_port()
    env = serve_env(
        emu,
        slack,
        database_url,
        FIREBELL_API_TOKEN="cli-api-token",
        FIREBELL_LOG_LEVEL="DEBUG",
    )
    log_path = tmp_path / "serve.log"
    process = start_serve(port, env, log_path)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, process, log_path)
        emu.faults.add("conversations.create", kind="error", error="fatal_error", times=1)
        driver = SlackDriver(emu, slack, app_url=f"{url}/slack/events")
        result = driver.slash_command("/incident", "declare sev1 From the CLI", user="alice", channel="general")
        assert result.acked_in_time
        room = emu.wait_for(lambda e: e.channel_by_name("inc-1-from-the-cli"), timeout=15)
        emu.wait_for(lambda e: any(m.pinned for m in e.messages(room.id)), timeout=15)
        listed = httpx.get(f"{url}/api/v1/incidents", headers={"Authorization": "Bearer cli-api-token"}).json()
        assert [i["number"] for i in listed] == [1]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(15)
    output = log_path.read_text()
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells how it ended.
    assert process.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output
    assert f"runbooks: 6 loaded from {SHIPPED} (packaged)" in output  # no policy file: the shipped runbooks
    assert "policy: the built-in defaults (no FIREBELL_CONFIG, no ./firebell.yaml)" in output
    assert "will retry" in output  # the injected fault was logged...
    for secret in (emu.bot_token, emu.signing_secret, "cli-api-token"):
        assert secret not in output  # ...and no secret was


def test_outbox_status_and_retry(tmp_path: Path) -> None:
    with private_database(str(tmp_path)) as url:
        env = base_env(DATABASE_URL=url)
        assert run(["db", "upgrade"], env).returncode == 0
        status = run(["outbox", "status"], env)
        assert status.returncode == 0, status.stderr
        assert "pending 0  delivered 0  failed 0" in status.stdout
        vague = run(["outbox", "retry"], env)
        assert vague.returncode == 2
        assert "--incident N, or --all" in vague.stderr
        missing = run(["outbox", "retry", "--incident", "7"], env)
        assert missing.returncode == 2
        assert "There is no INC-7." in missing.stderr
        assert "Requeued 0 failed effects" in run(["outbox", "retry", "--all"], env).stdout


def test_serve_says_which_runbooks_it_loaded_from_next_to_the_policy_file(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, tmp_path: Path
) -> None:
    conf = tmp_path / "conf"
    (conf / "my-runbooks").mkdir(parents=True)
    shutil.copy(SHIPPED / "tls-certificate-expiry.md", conf / "my-runbooks")
    (conf / "firebell.yaml").write_text("runbooks_dir: my-runbooks\n")
    env = serve_env(
        emu,
        slack,
        database_url,
        FIREBELL_CONFIG=str(conf / "firebell.yaml"),
    )
    port, log_path = free_port(), tmp_path / "serve.log"
    process = start_serve(port, env, log_path)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process, log_path)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(15)
    output = log_path.read_text()
    assert f"runbooks: 1 loaded from {conf / 'my-runbooks'} (policy runbooks_dir)" in output
    assert f"policy: {conf / 'firebell.yaml'} (built-in defaults for: announcement_channel, channel_prefix," in output
