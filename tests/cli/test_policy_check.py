"""`firebell policy check` says which file it checked (or the built-in defaults) and what the defaults cover."""

import subprocess
from pathlib import Path

from tests.cli.serve import FIREBELL, base_env


def check(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*FIREBELL, "policy", "check", *args],
        env=base_env(**env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_without_a_policy_file_it_says_it_checked_the_built_in_defaults(tmp_path: Path) -> None:
    result = check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "No policy file (FIREBELL_CONFIG is unset and there is no ./firebell.yaml): the built-in defaults" in (
        result.stdout
    )
    assert "Start your own from config/firebell.yaml" in result.stdout


def test_it_names_the_file_it_found(tmp_path: Path) -> None:
    (tmp_path / "firebell.yaml").write_text("channel_prefix: war\n")
    result = check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "firebell.yaml is a valid policy." in result.stdout
    assert "Built-in defaults apply for: announcement_channel, default_severity, bridge_url," in result.stdout
    elsewhere = tmp_path / "conf" / "policy.yaml"
    elsewhere.parent.mkdir()
    elsewhere.write_text("roles: [commander]\n")
    named = check(tmp_path, FIREBELL_CONFIG=str(elsewhere))
    assert f"{elsewhere} is a valid policy." in named.stdout


def test_an_empty_file_is_valid_with_a_warning_naming_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "firebell.yaml").write_text("")
    result = check(tmp_path, "firebell.yaml")
    assert result.returncode == 0, result.stderr
    assert result.stderr == "firebell: warning: firebell.yaml is empty: every setting is the built-in default.\n"
    assert "Built-in defaults apply for: announcement_channel, channel_prefix, default_severity, bridge_url, " in (
        result.stdout
    )


def test_a_runbooks_dir_outside_the_policy_folder_is_warned_about(tmp_path: Path) -> None:
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "firebell.yaml").write_text("runbooks_dir: ../runbooks\n")
    result = check(tmp_path, "config/firebell.yaml")
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("firebell: warning: runbooks_dir ../runbooks leads out of the policy file's folder")
    assert f"Runbooks: {tmp_path / 'config' / '..' / 'runbooks'} (policy runbooks_dir)" in result.stdout


def test_a_file_that_is_not_a_policy_is_not_quoted_back(tmp_path: Path) -> None:
    (tmp_path / "prod.env").write_text('DB_PASSWORD="hunter2\nAPI_KEY: hunter2-again: x\n')
    result = check(tmp_path, "prod.env")
    assert result.returncode == 2
    assert "hunter2" not in result.stdout + result.stderr
    assert result.stderr.startswith("firebell: prod.env: not valid YAML: ")
    assert len(result.stderr.splitlines()) == 1
