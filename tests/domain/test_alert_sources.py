"""The policy's alert sources, triage channel and grouping window, and what a wrong one is told."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from firebell.config import load_policy, policy_from_mapping
from firebell.domain.alerts import AlertKind
from firebell.domain.errors import PolicyError
from firebell.domain.policy import Policy

ISSUE_EXAMPLE = """
alert_sources:
  - name: prometheus
    kind: alertmanager
    token_env: FIREBELL_ALERTS_PROMETHEUS_TOKEN   # the secret stays in the environment
    service_label: service                         # which label names the affected service
    severity_from: {label: severity, map: {critical: SEV2, warning: SEV3}}
    declare: {min_severity: SEV2}                  # at or above: declare at once; below: triage
triage_channel: alerts                             # where groups below a declare rule are triaged
"""


def test_the_issue_example_loads(tmp_path: Path) -> None:
    path = tmp_path / "firebell.yaml"
    path.write_text(ISSUE_EXAMPLE)
    policy = load_policy(path)
    source = policy.alert_source("prometheus")
    assert source is not None and policy.alert_source("grafana") is None
    assert source.kind is AlertKind.ALERTMANAGER and source.token_env == "FIREBELL_ALERTS_PROMETHEUS_TOKEN"
    assert source.severity_from is not None and source.severity_from.map == {"critical": "SEV2", "warning": "SEV3"}
    assert source.declare is not None and source.declare.min_severity == "SEV2"
    assert policy.triage_channel == "alerts" and policy.alert_grouping_window == timedelta(minutes=5)


def test_defaults_have_no_sources() -> None:
    policy = Policy()
    assert policy.alert_sources == () and policy.triage_channel is None
    assert policy.alert_grouping_window == timedelta(minutes=5)


def test_grafana_source_with_hmac_and_a_window() -> None:
    policy = policy_from_mapping(
        {
            "alert_sources": [
                {
                    "name": "grafana",
                    "kind": "grafana",
                    "hmac_secret_env": "GRAFANA_HMAC",
                    "hmac_timestamp_header": "X-Grafana-Alerting-Timestamp",
                }
            ],
            "alert_grouping_window": "10m",
            "triage_channel": "#alerts",
        },
        source="firebell.yaml",
    )
    [source] = policy.alert_sources
    assert source.hmac_secret_env == "GRAFANA_HMAC" and source.token_env is None
    assert source.hmac_max_age == timedelta(minutes=5)
    assert policy.alert_grouping_window == timedelta(minutes=10) and policy.triage_channel == "alerts"


def src(**fields: Any) -> dict[str, Any]:
    return {"alert_sources": [{"name": "prom", "kind": "alertmanager", **fields}]}


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            src(kind="nagios"),
            r"alert_sources\[0\] \(prom\)\.kind: Input should be 'alertmanager', 'grafana' or 'generic'",
        ),
        (src(name="Prom Metheus"), r"alert_sources\[0\] \(Prom Metheus\)\.name: expected 1-40 characters"),
        (src(token_env="my token"), r"\.token_env: expected the name of an environment variable"),
        (src(hmac_secret_env="S"), r"hmac_secret_env: only a grafana source signs its requests"),
        (
            {"alert_sources": [{"name": "g", "kind": "grafana", "hmac_timestamp_header": "X-T"}]},
            r"hmac_timestamp_header: set hmac_secret_env too",
        ),
        (src(declare={"min_severity": "SEV9"}), r"alert_sources\[0\] \(prom\)\.declare\.min_severity: 'SEV9' is not"),
        (src(severity_from={"map": {"critical": "P1"}}), r"severity_from\.map\.critical: 'P1' is not one of"),
        (src(severity_from={"mapping": {}}), r"severity_from\.mapping: unknown setting \(known settings: label, map\)"),
        (
            src(tokenenv="X"),
            r"alert_sources\[0\] \(prom\)\.tokenenv: unknown setting \(known settings: name, kind, token_env,",
        ),
        (
            {"alert_sources": [{"name": "a", "kind": "generic"}, {"name": "a", "kind": "grafana"}]},
            r"alert_sources: names must be unique, \['a'\] repeat",
        ),
        ({"alert_grouping_window": "0"}, r"alert_grouping_window: expected a duration like 30s, 5m or 1h \(not zero\)"),
        ({"alert_grouping_window": "soon"}, r"alert_grouping_window: expected a duration"),
        ({"alert_sources": {"name": "x"}}, r"alert_sources: Input should be a valid (tuple|list)"),
    ],
)
def test_wrong_alert_settings_name_the_key(document: dict[str, Any], expected: str) -> None:
    with pytest.raises(PolicyError, match=expected):
        policy_from_mapping(document, source="firebell.yaml")
