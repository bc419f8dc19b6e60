"""Loading the policy file and the settings from the environment."""

from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from firebell.config import Settings, SettingsError, load_policy, load_settings, policy_from_mapping, read_policy
from firebell.domain.errors import PolicyError
from firebell.domain.policy import Policy


def test_custom_policy_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "firebell.yaml"
    path.write_text(
        """
announcement_channel: "#ops-incidents"
channel_prefix: war
default_severity: P2
bridge_url: https://zoom.example.com/j/{number}
severities:
  - {name: P1, description: Everything is down, update_interval: 10m}
  - {name: P2, description: Something is down, update_interval: 1h30m}
  - {name: P3, description: Nothing is down, update_interval: 0}
roles: [commander, scribe]
"""
    )
    policy = load_policy(path)
    assert policy.announcement_channel == "ops-incidents"
    assert policy.channel_prefix == "war"
    assert policy.severity("p2").update_interval == timedelta(hours=1, minutes=30)
    assert policy.severity("P3").update_interval is None
    assert policy.roles == ("commander", "scribe")


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="does not exist"):
        load_policy(tmp_path / "nope.yaml")


def test_invalid_yaml_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("severities: [unclosed")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policy(path)


def test_no_file_means_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_policy(None) == Policy()


def test_empty_environment_values_mean_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIREBELL_API_TOKEN", "")
    monkeypatch.setenv("SLACK_APP_TOKEN", " ")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    settings = Settings()
    assert settings.firebell_api_token is None
    assert settings.slack_app_token is None
    assert settings.slack_bot_token is not None
    assert "xoxb-1" not in repr(settings)


def test_shipped_policy_file_is_valid_and_matches_the_defaults() -> None:
    shipped = load_policy(Path(__file__).parents[1] / "config" / "firebell.yaml")
    defaults = Policy()
    assert [(s.name, s.update_interval) for s in shipped.severities] == [
        (s.name, s.update_interval) for s in defaults.severities
    ]
    assert shipped.roles == defaults.roles
    assert shipped.announcement_channel == defaults.announcement_channel


def test_the_commented_permissions_example_in_the_shipped_policy_is_valid() -> None:
    text = (Path(__file__).parents[1] / "config" / "firebell.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("# permissions:")))
    example = [line[2:] for line in lines[start:] if line.startswith("# ")]
    assert example[0].startswith("permissions:")
    policy = policy_from_mapping(yaml.safe_load("\n".join(lines[:start] + example)), source="example")
    assert policy.permissions.severity == ("commander", "deputy")
    assert policy.permissions.close == ("commander", "declarer")


def test_a_log_level_firebell_cannot_use_names_the_variable_and_the_levels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIREBELL_LOG_LEVEL", "LOUD")
    with pytest.raises(SettingsError, match=r"FIREBELL_LOG_LEVEL: expected one of DEBUG, INFO, WARNING.*got 'LOUD'"):
        load_settings()


def test_a_bad_setting_never_echoes_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret")
    monkeypatch.setenv("FIREBELL_SOCKET_MODE", "maybe")
    with pytest.raises(SettingsError, match="FIREBELL_SOCKET_MODE") as raised:
        load_settings()
    assert "xoxb-very-secret" not in raised.value.message


def test_empty_values_mean_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "FIREBELL_LOG_LEVEL", "FIREBELL_SOCKET_MODE"):
        monkeypatch.setenv(name, "")
    settings = load_settings()
    assert (settings.database_url, settings.firebell_log_level, settings.firebell_socket_mode) == (
        "sqlite:///firebell.db",
        "INFO",
        False,
    )
    monkeypatch.setenv("FIREBELL_SOCKET_MODE", "1")
    monkeypatch.setenv("FIREBELL_LOG_LEVEL", "debug")
    assert load_settings().firebell_socket_mode and load_settings().firebell_log_level == "DEBUG"


def test_an_empty_policy_file_warns_and_says_every_default_applies(tmp_path: Path) -> None:
    path = tmp_path / "firebell.yaml"
    path.write_text("# only comments\n")
    source = read_policy(path)
    assert source.policy == Policy()
    assert source.warnings == (f"{path} is empty: every setting is the built-in default.",)
    assert source.defaulted == tuple(Policy.model_fields)


def test_a_policy_file_says_which_settings_it_leaves_to_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "firebell.yaml"
    path.write_text("channel_prefix: war\nroles: [commander]\n")
    source = read_policy(path)
    assert source.path == path and source.warnings == ()
    assert "channel_prefix" not in source.defaulted and "roles" not in source.defaulted
    assert {"severities", "cadence", "runbooks_dir"} <= set(source.defaulted)


def test_no_policy_file_is_reported_as_the_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    source = read_policy(None)
    assert source.path is None and source.policy == Policy()


def test_a_config_path_naming_a_directory_or_a_device_says_so(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=f"FIREBELL_CONFIG points at {tmp_path}, which is a directory"):
        read_policy(tmp_path)
    with pytest.raises(PolicyError, match="/dev/null, which is not a regular file"):
        read_policy(Path("/dev/null"))
    with pytest.raises(PolicyError, match=f"^{tmp_path} is a directory"):
        read_policy(tmp_path, named_by_env=False)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('password: "hunter2-secret\nother: line\n', "not valid YAML: found unexpected end of stream at line 3"),
        ("API_KEY=hunter2-secret\n", "is not a Firebell policy: expected a mapping of settings at the top level"),
        ("- hunter2-secret: [\n", "not valid YAML"),
    ],
)
def test_a_file_that_is_not_a_policy_is_never_quoted_back(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "secrets.env"
    path.write_text(content)
    with pytest.raises(PolicyError, match=expected) as raised:
        read_policy(path)
    assert "hunter2" not in raised.value.message


def test_a_binary_file_is_not_a_policy(tmp_path: Path) -> None:
    path = tmp_path / "key.der"
    path.write_bytes(b"\x00\xff\xfe secret")
    with pytest.raises(PolicyError, match="is not a policy file: it is not UTF-8 text"):
        read_policy(path)


def test_runbooks_dir_leading_out_of_the_policy_folder_is_warned_about(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "firebell.yaml").write_text("runbooks_dir: ../elsewhere\n")
    (warning,) = read_policy(conf / "firebell.yaml").warnings
    assert f"runbooks_dir ../elsewhere leads out of the policy file's folder {conf} (to {tmp_path / 'elsewhere'})" in (
        warning
    )


def test_a_missing_runbooks_dir_is_warned_about(tmp_path: Path) -> None:
    (tmp_path / "firebell.yaml").write_text("runbooks_dir: runbooks\n")
    (warning,) = read_policy(tmp_path / "firebell.yaml").warnings
    assert f"runbooks_dir {tmp_path / 'runbooks'} is not a directory: no runbooks will be suggested" in warning


def test_runbooks_beside_the_policy_or_named_absolutely_are_fine(tmp_path: Path) -> None:
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "firebell.yaml").write_text("runbooks_dir: runbooks\n")
    assert read_policy(tmp_path / "firebell.yaml").warnings == ()
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "firebell.yaml").write_text(f"runbooks_dir: {tmp_path / 'runbooks'}\n")
    assert read_policy(conf / "firebell.yaml").warnings == ()
