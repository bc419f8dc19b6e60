"""Two `firebell serve` processes on one database receive the same alert group at once (Alertmanager in HA
mode sends from every replica): one group, no alert twice."""

import json
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func, select

from firebell.emulator import EmulatorServer, SlackEmulator
from firebell.store.models import Alert, AlertGroup, Counter, Incident, TimelineEvent
from tests.api.alerts.payloads import am_alert, am_group
from tests.cli.serve import serve_env, start_serve, wait_healthy
from tests.harness import free_port

POLICY = """
alert_sources:
  - name: prometheus
    kind: alertmanager
    token_env: FIREBELL_ALERTS_PROMETHEUS_TOKEN
"""
TOKEN = "replica-test-token"


@pytest.mark.slow  # two real processes
def test_two_processes_receiving_one_group_make_one_group(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, tmp_path: Path
) -> None:
    config = tmp_path / "firebell.yaml"
    config.write_text(POLICY)
    env = serve_env(
        emu,
        slack,
        database_url,
        FIREBELL_CONFIG=str(config),
        FIREBELL_ALERTS_PROMETHEUS_TOKEN=TOKEN,
    )
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"serve-{port}.log" for port in ports]
    processes = [start_serve(port, env, log) for port, log in zip(ports, logs, strict=True)]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, process, log in zip(urls, processes, logs, strict=True):
            wait_healthy(url, process, log)
        # Each round, both replicas get the group, growing by one alert, at the same moment; the group's
        # alerts also arrive under a second group key of the same service (grouped by service).
        bodies = []
        for round_ in range(20):
            alerts = [am_alert(f"A{i}") for i in range(round_ + 5)]
            key = '{}:{service="checkout"}' if round_ % 2 else '{}/{team="pay"}:{service="checkout"}'
            bodies.append(json.dumps(am_group(*alerts, key=key)).encode())

        def send(job: tuple[str, bytes]) -> int:
            url, body = job
            headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
            return httpx.post(f"{url}/api/v1/alerts/prometheus", content=body, headers=headers, timeout=30).status_code

        with ThreadPoolExecutor(8) as pool:
            for body in bodies:
                jobs = [(url, body) for url in urls for _ in range(2)]
                assert set(pool.map(send, jobs)) == {200}
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(15)

    with clean_db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AlertGroup)).scalar_one() == 1
        rows = conn.execute(select(Alert.fingerprint, Alert.deliveries)).all()
    assert len(rows) == 24 == len({fingerprint for fingerprint, _ in rows})  # A0..A23, each once
    # Every request counted on each alert it carried: A0 was in all 20 rounds x 4 requests.
    assert dict(rows)[am_alert("A0")["fingerprint"]] == 80


DECLARING_POLICY = """
alert_sources:
  - name: prometheus
    kind: alertmanager
    token_env: FIREBELL_ALERTS_PROMETHEUS_TOKEN
    severity_from: {label: severity, map: {critical: SEV2, warning: SEV3}}
    declare: {min_severity: SEV2}
"""


@pytest.mark.slow  # two real processes
def test_two_processes_receiving_one_declaring_group_declare_one_incident(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, tmp_path: Path
) -> None:
    config = tmp_path / "firebell.yaml"
    config.write_text(DECLARING_POLICY)
    env = serve_env(emu, slack, database_url, FIREBELL_CONFIG=str(config), FIREBELL_ALERTS_PROMETHEUS_TOKEN=TOKEN)
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"serve-{port}.log" for port in ports]
    processes = [start_serve(port, env, log) for port, log in zip(ports, logs, strict=True)]

    def critical(name: str) -> dict[str, object]:
        alert = am_alert(name)
        alert["labels"] = {**alert["labels"], "severity": "critical"}
        return alert

    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, process, log in zip(urls, processes, logs, strict=True):
            wait_healthy(url, process, log)
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}

        def send(job: tuple[str, bytes]) -> int:
            url, body = job
            return httpx.post(f"{url}/api/v1/alerts/prometheus", content=body, headers=headers, timeout=30).status_code

        # Each round both replicas get the group (twice each) at the same moment, under two sender group keys of
        # one service; the first round declares, the rest attach to that incident.
        with ThreadPoolExecutor(8) as pool:
            for round_ in range(8):
                key = '{}:{service="checkout"}' if round_ % 2 else '{}/{team="pay"}:{service="checkout"}'
                body = json.dumps(am_group(*(critical(f"A{i}") for i in range(round_ + 2)), key=key)).encode()
                assert set(pool.map(send, [(url, body) for url in urls for _ in range(2)])) == {200}

        def war_rooms() -> list[str]:
            return [c.name for c in emu.channels.values() if c.name.startswith("inc-")]

        deadline = time.monotonic() + 20
        while not war_rooms() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(15)

    assert len(war_rooms()) == 1, war_rooms()
    with clean_db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Incident)).scalar_one() == 1
        assert conn.execute(select(Counter.value).where(Counter.name == "incident")).scalar_one() == 1
        groups = conn.execute(select(AlertGroup.incident_id, AlertGroup.decision)).all()
        firing = conn.execute(
            select(func.count()).select_from(TimelineEvent).where(TimelineEvent.kind == "alert_firing")
        ).scalar_one()
    assert len(groups) == 1 and groups[0].incident_id is not None and groups[0].decision == "declared"
    assert firing == 9  # A0..A8, each once on the timeline, however many replicas and re-sends
