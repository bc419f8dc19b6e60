"""Loading the policy file and the settings from the environment."""

from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from firebell.config import Settings, load_policy, policy_from_mapping
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
