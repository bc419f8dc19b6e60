"""The files a self-hoster runs as they are: docker-compose.yml, the Dockerfile, config/firebell.yaml, README's table."""

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

from firebell.config import Settings, load_settings, read_policy
from firebell.store.database_url import parse_database_url

ROOT = Path(__file__).parents[1]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
COMPOSE: dict[str, Any] = yaml.safe_load(COMPOSE_TEXT)
SETTINGS = {name.upper() for name in Settings.model_fields}
COMPOSE_ONLY = {"POSTGRES_PASSWORD"}  # read by the postgres service, not by Firebell
_REFERENCE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?:(:\?|:-)([^}]*))?\}")


def readme_variables() -> list[str]:
    """The variables in README's Environment table, in order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Environment", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([A-Z_][A-Z0-9_]*)` \|", section, re.MULTILINE)


def interpolate(value: str, env: dict[str, str]) -> str:
    """Docker Compose's interpolation of ${VAR}, ${VAR:-default} and ${VAR:?error} (unset or empty alike)."""

    def one(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        given = env.get(name, "")
        if operator == ":?" and not given:
            raise LookupError(f"{name}: {argument}")
        return given or (argument if operator == ":-" else "")

    return _REFERENCE.sub(one, value)


def firebell_environment(env: dict[str, str]) -> dict[str, str]:
    """The environment compose gives the firebell container when its .env holds `env`."""
    return {
        name: interpolate(str(value), env) for name, value in COMPOSE["services"]["firebell"]["environment"].items()
    }


def test_the_readme_table_lists_every_setting_and_compose_names_every_variable_it_lists() -> None:
    listed = readme_variables()
    assert len(listed) == len(set(listed)), listed
    assert set(listed) == SETTINGS | COMPOSE_ONLY
    named = set(COMPOSE["services"]["firebell"]["environment"]) | {m[0] for m in _REFERENCE.findall(COMPOSE_TEXT)}
    assert set(listed) - named == set()
    assert {m[0] for m in _REFERENCE.findall(COMPOSE_TEXT)} <= set(listed)  # nothing a user must set is undocumented
    assert set(COMPOSE["services"]["firebell"]["environment"]) <= SETTINGS  # nothing firebell would ignore


def test_compose_runs_over_http_with_a_signing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "POSTGRES_PASSWORD": "0123abcd"}
    for name, value in firebell_environment(env).items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert not settings.firebell_socket_mode
    assert settings.require_slack(socket_mode=False)[:2] == ("xoxb-1", "s")
    url = parse_database_url(settings.database_url)
    assert (url.drivername, url.password, url.host) == ("postgresql+psycopg", "0123abcd", "postgres")
    postgres = {k: interpolate(str(v), env) for k, v in COMPOSE["services"]["postgres"]["environment"].items()}
    assert postgres["POSTGRES_PASSWORD"] == "0123abcd"


def test_compose_runs_socket_mode_without_a_signing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_APP_TOKEN": "xapp-1",
        "FIREBELL_SOCKET_MODE": "1",
        "POSTGRES_PASSWORD": "p",
    }
    for name, value in firebell_environment(env).items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.firebell_socket_mode
    assert settings.require_slack(socket_mode=settings.firebell_socket_mode)[2] == "xapp-1"


def test_compose_refuses_to_start_without_a_postgres_password_or_a_bot_token() -> None:
    with pytest.raises(LookupError, match="POSTGRES_PASSWORD"):
        firebell_environment({"SLACK_BOT_TOKEN": "xoxb-1"})
    with pytest.raises(LookupError, match="SLACK_BOT_TOKEN"):
        firebell_environment({"POSTGRES_PASSWORD": "p"})


def test_compose_mounts_the_example_policy_and_it_is_safe_to_run_as_is() -> None:
    firebell = COMPOSE["services"]["firebell"]
    mounts = dict(volume.split(":")[:2] for volume in firebell["volumes"])
    config = Path(firebell["environment"]["FIREBELL_CONFIG"])
    host_folder = next(host for host, container in mounts.items() if config.is_relative_to(container))
    mounted = ROOT / host_folder / config.relative_to(mounts[host_folder])
    source = read_policy(mounted)
    assert source.warnings == ()
    assert source.policy.bridge_url is None  # a placeholder bridge would be bookmarked in every war room


def test_the_readme_keeps_compose_secrets_in_a_git_ignored_env_file() -> None:
    assert ".env" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    compose_section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Run it with Docker Compose", 1)[1]
    assert "grep FIREBELL_API_TOKEN .env" in compose_section.split("\n## ", 1)[0]


def dockerfile() -> tuple[dict[str, str], str, list[str], str]:
    """The Dockerfile's ENV values, USER, VOLUME paths and RUN commands."""
    env: dict[str, str] = {}
    user, volumes, runs = "root", [], []
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        instruction, _, rest = line.strip().partition(" ")
        if instruction == "ENV":
            for part in shlex.split(rest):
                name, _, value = part.partition("=")
                env[name] = value
        elif instruction == "USER":
            user = rest.strip()
        elif instruction == "VOLUME":
            volumes += rest.split()
        elif instruction == "RUN":
            runs.append(rest)
    return env, user, volumes, " ".join(runs)


def test_the_docker_image_keeps_its_database_in_a_folder_its_user_owns() -> None:
    env, user, volumes, runs = dockerfile()
    assert user != "root"
    url = make_url(env["DATABASE_URL"])  # not parse_database_url: the folder exists in the image, not here
    folder = str(Path(str(url.database)).parent)
    assert url.get_backend_name() == "sqlite" and folder != "."
    assert re.search(rf"mkdir (-p )?{re.escape(folder)}\b", runs)
    assert re.search(rf"chown {user}(:{user})? {re.escape(folder)}\b", runs)
    assert folder in volumes
