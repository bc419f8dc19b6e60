"""Firebell serving HTTP with alert sources configured, for tests of the alert webhooks and reads."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from firebell.domain.alert_sources import AlertSource, DeclareRule, SeverityFrom
from firebell.domain.alerts import AlertKind
from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from tests.harness import Firebell, running_firebell
from tests.slack.conftest import emu, slack  # noqa: F401 (fixtures shared with the Slack tests)

PROM_TOKEN, GRAFANA_TOKEN, GENERIC_TOKEN, HMAC_SECRET = "prom-secret", "grafana-secret", "generic-secret", "hmac-key"
SEVERITY = SeverityFrom(label="severity", map={"critical": "SEV2", "warning": "SEV3"})


@pytest.fixture
def policy() -> Policy:
    """Four sources: Alertmanager, Grafana (token), Grafana (HMAC with a timestamp), generic; one with no token."""
    return Policy(
        alert_sources=(
            AlertSource(
                name="prometheus",
                kind=AlertKind.ALERTMANAGER,
                token_env="TEST_ALERTS_PROM_TOKEN",
                severity_from=SEVERITY,
                declare=DeclareRule(min_severity="SEV2"),
            ),
            AlertSource(name="grafana", kind=AlertKind.GRAFANA, token_env="TEST_ALERTS_GRAFANA_TOKEN"),
            AlertSource(
                name="signed",
                kind=AlertKind.GRAFANA,
                hmac_secret_env="TEST_ALERTS_HMAC_SECRET",
                hmac_timestamp_header="X-Grafana-Alerting-Timestamp",
            ),
            AlertSource(name="generic", kind=AlertKind.GENERIC, token_env="TEST_ALERTS_GENERIC_TOKEN"),
            AlertSource(name="unset", kind=AlertKind.ALERTMANAGER, token_env="TEST_ALERTS_NOBODY_SET_THIS"),
        ),
        triage_channel="alerts",
    )


@pytest.fixture(autouse=True)
def alert_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """The alert sources' secrets, in the environment as an operator would set them (one left unset)."""
    monkeypatch.setenv("TEST_ALERTS_PROM_TOKEN", PROM_TOKEN)
    monkeypatch.setenv("TEST_ALERTS_GRAFANA_TOKEN", GRAFANA_TOKEN)
    monkeypatch.setenv("TEST_ALERTS_GENERIC_TOKEN", GENERIC_TOKEN)
    monkeypatch.setenv("TEST_ALERTS_HMAC_SECRET", HMAC_SECRET)
    monkeypatch.delenv("TEST_ALERTS_NOBODY_SET_THIS", raising=False)


@pytest.fixture
def firebell(
    emu: SlackEmulator,  # noqa: F811
    slack: EmulatorServer,  # noqa: F811
    database_url: str,
    clean_db: Engine,
    policy: Policy,
) -> Iterator[Firebell]:
    """Firebell serving HTTP with the alert sources above."""
    with running_firebell(emu, slack, database_url, policy) as running:
        yield running
