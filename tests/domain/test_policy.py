from datetime import timedelta
from pathlib import Path

import pytest

from firebell.config import load_policy, policy_from_mapping
from firebell.domain.errors import PolicyError, UnknownRole, UnknownSeverity
from firebell.domain.policy import Policy


def test_defaults_follow_incident_practice() -> None:
    policy = Policy()
    assert policy.severity_names == ["SEV1", "SEV2", "SEV3", "SEV4"]
    assert policy.severity("SEV1").update_interval == timedelta(minutes=15)
    assert policy.severity("SEV2").update_interval == timedelta(minutes=30)
    assert policy.severity("SEV3").update_interval == timedelta(hours=1)
    assert policy.severity("SEV4").update_interval is None
    assert policy.default.name == "SEV3"
    assert policy.roles == ("commander", "deputy", "scribe", "comms", "ops")
    assert policy.announcement_channel == "incidents"


@pytest.mark.parametrize("token", ["sev1", "SEV1", "Sev1", "1", " sev1 "])
def test_severity_lookup_accepts_common_spellings(token: str) -> None:
    assert Policy().severity(token).name == "SEV1"


def test_unknown_severity_names_the_valid_ones() -> None:
    with pytest.raises(UnknownSeverity, match=r"Unknown severity `sev9`\. Valid severities: SEV1, SEV2, SEV3, SEV4\."):
        Policy().severity("sev9")


def test_rank_orders_most_severe_first() -> None:
    policy = Policy()
    assert policy.rank("SEV1") < policy.rank("SEV2") < policy.rank("SEV4")


def test_roles_lookup() -> None:
    policy = Policy()
    assert policy.role("Deputy") == "deputy"
    assert policy.role("ic") == "commander"
    with pytest.raises(UnknownRole, match="Valid roles: commander, deputy, scribe, comms, ops"):
        policy.role("janitor")


def test_bridge_url_template() -> None:
    policy = Policy(bridge_url="https://meet.example.com/inc-{number}")
    assert policy.bridge_for(42) == "https://meet.example.com/inc-42"
    assert Policy().bridge_for(1) is None


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


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            {
                "severities": [{"name": "SEV1", "description": "x", "update_interval": "15x"}],
                "default_severity": "SEV1",
            },
            r"severities\[0\] \(SEV1\)\.update_interval: expected a duration like 30s, 15m, 1h or 1h30m, got '15x'",
        ),
        ({"channel_prefix": "INC"}, r"channel_prefix: expected 1-20 characters of lowercase"),
        ({"default_severity": "SEV9"}, r"default_severity: 'SEV9' is not one of \['SEV1', 'SEV2', 'SEV3', 'SEV4'\]"),
        ({"roles": ["deputy"]}, r"roles: the roles must include 'commander'"),
        ({"bridge_url": "meet.example.com"}, r"bridge_url: expected an http\(s\):// URL"),
        ({"bridge_url": "https://x/{id}"}, r"bridge_url: only \{number\} may be substituted"),
        ({"annoucement_channel": "x"}, r"annoucement_channel: unknown setting \(known settings: announcement_channel"),
        (["a list"], r"expected a mapping of settings at the top level"),
    ],
)
def test_bad_policy_names_key_and_expectation(document: object, expected: str) -> None:
    with pytest.raises(PolicyError, match=expected):
        policy_from_mapping(document, source="firebell.yaml")


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
    from firebell.config import Settings

    monkeypatch.setenv("FIREBELL_API_TOKEN", "")
    monkeypatch.setenv("SLACK_APP_TOKEN", " ")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    settings = Settings()
    assert settings.firebell_api_token is None
    assert settings.slack_app_token is None
    assert settings.slack_bot_token is not None
    assert "xoxb-1" not in repr(settings)


def test_shipped_policy_file_is_valid_and_matches_the_defaults() -> None:
    shipped = load_policy(Path(__file__).parents[2] / "config" / "firebell.yaml")
    defaults = Policy()
    assert [(s.name, s.update_interval) for s in shipped.severities] == [
        (s.name, s.update_interval) for s in defaults.severities
    ]
    assert shipped.roles == defaults.roles
    assert shipped.announcement_channel == defaults.announcement_channel


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://u:p@db/fb", "postgresql+psycopg://u:p@db/fb"),
        ("postgres://u:p@db/fb", "postgresql+psycopg://u:p@db/fb"),
        ("postgresql+psycopg://u@db/fb", "postgresql+psycopg://u@db/fb"),
        ("sqlite:///firebell.db", "sqlite:///firebell.db"),
    ],
)
def test_database_urls_are_normalised_for_psycopg3(given: str, used: str) -> None:
    from firebell.store.engine import normalize_url

    assert normalize_url(given).render_as_string(hide_password=False) == used


def test_a_severity_removed_from_the_policy_does_not_break_its_incidents() -> None:
    policy = Policy()
    assert policy.known("SEV2").update_interval == timedelta(minutes=30)
    removed = policy.known("P0")
    assert (removed.name, removed.update_interval) == ("P0", None)
    assert "no longer defined" in removed.description
    assert policy.rank("P0") == 4 > policy.rank("SEV4")


def test_nudge_time_must_be_a_quoted_clock_time() -> None:
    assert policy_from_mapping({"postmortem": {"nudge_time": "09:30"}}, source="p").postmortem.nudge_time.minute == 30
    with pytest.raises(PolicyError, match=r'postmortem\.nudge_time: expected a UTC time as a quoted "HH:MM" string'):
        policy_from_mapping({"postmortem": {"nudge_time": 570}}, source="p")  # what YAML makes of 9:30
    with pytest.raises(PolicyError, match=r"got '25:00'"):
        policy_from_mapping({"postmortem": {"nudge_time": "25:00"}}, source="p")
