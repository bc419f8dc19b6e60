"""The incident policy: severities, roles, cadence, and what a policy that breaks the rules is told."""

from datetime import timedelta

import pytest

from firebell.config import policy_from_mapping
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


@pytest.mark.parametrize("token", ["sev" + "9" * 5000, "9" * 5000, "sev\u0663", "sev\u00b2"])
def test_a_severity_number_of_any_length_or_script_is_unknown_not_a_crash(token: str) -> None:
    with pytest.raises(UnknownSeverity) as refused:
        Policy().severity(token)
    assert len(refused.value.message) < 200


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
