"""Every way the `firebell` command fails is one `firebell: ...` line and a non-zero exit, never a traceback."""

import socket
import subprocess
from pathlib import Path

import pytest

from tests.cli.serve import FIREBELL, base_env
from tests.database import private_database
from tests.harness import free_port

SLACK = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "test-secret"}


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*FIREBELL, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60, check=False)


def one_line_error(result: subprocess.CompletedProcess[str], fragment: str) -> str:
    """The single `firebell: ...` line of a failed command, checked to contain `fragment`."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode != 0, output
    lines = [line for line in result.stderr.splitlines() if line.startswith("firebell: ")]
    assert len(lines) == 1, output
    assert fragment in lines[0], output
    return lines[0]


@pytest.mark.parametrize(
    ("url", "command", "fragment"),
    [
        (
            "postgresql+psycopg://firebell:hunter2@127.0.0.1:{port}/x",
            "db upgrade",
            "Cannot use the database at postgresql+psycopg://firebell:***@127.0.0.1:",
        ),
        (
            "postgresql+psycopg://firebell:hunter2@127.0.0.1:{port}/x",
            "serve",
            "Cannot use the database at postgresql+psycopg://firebell:***@127.0.0.1:",
        ),
        ("not a url at all", "outbox status", "DATABASE_URL is not a database URL; expected sqlite:///"),
        ("mysql://firebell:hunter2@db/x", "db upgrade", "DATABASE_URL uses 'mysql', which Firebell does not support"),
        (
            "sqlite:///missing/dir/firebell.db",
            "db upgrade",
            "names the SQLite file missing/dir/firebell.db, but the folder missing/dir does not exist",
        ),
    ],
)
def test_a_database_url_firebell_cannot_use(tmp_path: Path, url: str, command: str, fragment: str) -> None:
    env = base_env(DATABASE_URL=url.format(port=free_port()), **SLACK)
    args = command.split() + (["--port", str(free_port())] if command == "serve" else [])
    line = one_line_error(run(args, env, tmp_path), fragment)
    assert "hunter2" not in line


def test_a_reading_command_without_a_database_says_so_and_creates_none(tmp_path: Path) -> None:
    result = run(["postmortem", "1"], base_env(), tmp_path)
    one_line_error(result, "There is no database at firebell.db (DATABASE_URL is unset")
    assert list(tmp_path.iterdir()) == []


def test_a_database_that_was_never_migrated(tmp_path: Path) -> None:
    (tmp_path / "empty.db").touch()
    result = run(["outbox", "status"], base_env(DATABASE_URL="sqlite:///empty.db"), tmp_path)
    one_line_error(result, "has no Firebell schema yet; run `firebell db upgrade` first")


@pytest.mark.parametrize("command", [["db", "upgrade"], ["policy", "check"]])
def test_a_log_level_that_does_not_exist(tmp_path: Path, command: list[str]) -> None:
    env = base_env(FIREBELL_LOG_LEVEL="LOUD", DATABASE_URL=f"sqlite:///{tmp_path}/x.db", **SLACK)
    one_line_error(run(command, env, tmp_path), "FIREBELL_LOG_LEVEL: expected one of DEBUG, INFO, WARNING")


def test_a_port_out_of_range(tmp_path: Path) -> None:
    result = run(["serve", "--port", "99999"], base_env(**SLACK), tmp_path)
    one_line_error(result, "Invalid value for '--port': 99999 is not in the range 1<=x<=65535")


def test_a_port_already_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = base_env(DATABASE_URL=f"sqlite:///{tmp_path}/x.db", **SLACK)
        result = run(["serve", "--port", str(port)], env, tmp_path)
    one_line_error(result, f"cannot listen on 127.0.0.1:{port}")


def test_a_host_that_does_not_resolve(tmp_path: Path) -> None:
    env = base_env(DATABASE_URL=f"sqlite:///{tmp_path}/x.db", **SLACK)
    result = run(["serve", "--host", "no-such-host.invalid", "--port", str(free_port())], env, tmp_path)
    one_line_error(result, "--host no-such-host.invalid: not an address or a name this machine can resolve")


@pytest.mark.parametrize("command", [["serve"], ["policy", "check"]])
def test_an_update_interval_beyond_a_year(tmp_path: Path, command: list[str]) -> None:
    policy = tmp_path / "firebell.yaml"
    policy.write_text(
        "severities:\n  - {name: SEV1, description: Down, update_interval: 99999999999h}\ndefault_severity: SEV1\n"
    )
    env = base_env(FIREBELL_CONFIG=str(policy), DATABASE_URL=f"sqlite:///{tmp_path}/x.db", **SLACK)
    one_line_error(
        run(command, env, tmp_path), "severities[0] (SEV1).update_interval: expected at most 365d, got '99999999999h'"
    )


def test_a_postmortem_written_into_a_missing_folder(tmp_path: Path) -> None:
    with private_database(str(tmp_path)) as url:
        env = base_env(DATABASE_URL=url)
        assert run(["db", "upgrade"], env, tmp_path).returncode == 0
        result = run(["postmortem", "1", "-o", "/missing/dir/x"], env, tmp_path)
    one_line_error(result, "-o /missing/dir/x: the folder /missing/dir does not exist")


@pytest.mark.parametrize(
    "command",
    [
        ["postmortem", "99999999999999999999999"],
        ["postmortem", "2147483648"],
        ["postmortem", "0"],
        ["postmortem", "²"],
        ["outbox", "retry", "--incident", "99999999999999"],
    ],
)
def test_incident_numbers_beyond_the_database_integer(tmp_path: Path, command: list[str]) -> None:
    one_line_error(
        run(command, base_env(), tmp_path), "expected an incident number from 1 to 2147483647 (as in INC-42)"
    )


def test_an_incident_number_may_be_written_as_people_say_it(tmp_path: Path) -> None:
    with private_database(str(tmp_path)) as url:
        env = base_env(DATABASE_URL=url)
        assert run(["db", "upgrade"], env, tmp_path).returncode == 0
        one_line_error(run(["postmortem", "INC-7"], env, tmp_path), "There is no INC-7.")


@pytest.mark.parametrize(
    ("config", "command", "fragment"),
    [
        ("{tmp}", "serve", "FIREBELL_CONFIG points at {tmp}, which is a directory; name the policy file itself"),
        ("{tmp}", "policy check", "FIREBELL_CONFIG points at {tmp}, which is a directory; name the policy file itself"),
        ("/dev/null", "policy check", "FIREBELL_CONFIG points at /dev/null, which is not a regular file"),
        ("/dev/null", "runbooks list", "FIREBELL_CONFIG points at /dev/null, which is not a regular file"),
        ("{tmp}/nope.yaml", "policy check", "FIREBELL_CONFIG points at {tmp}/nope.yaml, which does not exist"),
    ],
)
def test_firebell_config_naming_a_directory_or_a_device(
    tmp_path: Path, config: str, command: str, fragment: str
) -> None:
    env = base_env(FIREBELL_CONFIG=config.format(tmp=tmp_path), DATABASE_URL=f"sqlite:///{tmp_path}/x.db", **SLACK)
    one_line_error(run(command.split(), env, tmp_path), fragment.format(tmp=tmp_path))


def test_a_malformed_command_line_is_one_line_too(tmp_path: Path) -> None:
    one_line_error(run(["nosuch"], base_env(), tmp_path), "No such command 'nosuch'. See 'firebell --help'.")
    one_line_error(run(["postmortem"], base_env(), tmp_path), "Missing argument 'NUMBER'.")


def test_socket_mode_from_the_environment_needs_the_app_token_not_the_signing_secret(tmp_path: Path) -> None:
    env = base_env(FIREBELL_SOCKET_MODE="1", SLACK_BOT_TOKEN="xoxb-test", DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    line = one_line_error(
        run(["serve", "--port", str(free_port())], env, tmp_path), "Missing environment: SLACK_APP_TOKEN"
    )
    assert "SLACK_SIGNING_SECRET" not in line
