"""Reading alerts and alert groups back through the REST API (behind the API token)."""

import json

import httpx

from firebell.services.incidents import DeclareRequest, declare_incident
from firebell.store.models import AlertGroup
from tests.api.alerts.conftest import PROM_TOKEN
from tests.api.alerts.payloads import am_alert, am_group
from tests.harness import Firebell


def send(firebell: Firebell, document: dict[str, object]) -> int:
    answer = httpx.post(
        f"{firebell.url}/api/v1/alerts/prometheus",
        content=json.dumps(document),
        headers={"Authorization": f"Bearer {PROM_TOKEN}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return int(answer.json()["group_id"])


def test_alerts_are_paged_newest_first(firebell: Firebell) -> None:
    send(firebell, am_group(*(am_alert(f"A{i}") for i in range(5))))
    first = firebell.api("/api/v1/alerts", limit=2)
    assert [a["name"] for a in first.json()] == ["A4", "A3"]
    cursor = first.headers["X-Next-Cursor"]
    assert first.headers["Link"] == f'</api/v1/alerts?limit=2&cursor={cursor}>; rel="next"'
    second = firebell.api("/api/v1/alerts", limit=2, cursor=cursor)
    third = firebell.api("/api/v1/alerts", limit=2, cursor=second.headers["X-Next-Cursor"])
    assert [a["name"] for a in second.json() + third.json()] == ["A2", "A1", "A0"]
    assert "X-Next-Cursor" not in third.headers
    for bad_cursor in ("abc", "²", "9" * 30, "0"):  # what isdigit() or int() would let through to the store
        bad = firebell.api("/api/v1/alerts", cursor=bad_cursor)
        assert bad.status_code == 400 and "Invalid query parameter 'cursor'" in bad.json()["detail"], bad_cursor
    assert firebell.api("/api/v1/alerts", status="pending").status_code == 400
    assert firebell.api("/api/v1/alerts", source="grafana").json() == []


def test_group_detail_triage_and_incident(firebell: Firebell) -> None:
    group_id = send(firebell, am_group(am_alert("A"), am_alert("B"), truncatedAlerts=12))
    detail = firebell.api(f"/api/v1/alert-groups/{group_id}").json()
    assert detail["id"] == group_id and detail["source"] == "prometheus" and detail["status"] == "open"
    assert detail["group_key"] == '{}:{service="checkout"}' and detail["incident_number"] is None
    assert detail["triage"] is None and detail["truncated_alerts"] == 12 and detail["severity"] == "SEV3"
    assert [a["name"] for a in detail["alerts"]] == ["A", "B"]

    incident = declare_incident(firebell.runtime.ctx, DeclareRequest(title="Checkout down", declared_by="U0ALICE00"))
    with firebell.runtime.ctx.db.transaction() as session:
        row = session.get(AlertGroup, group_id)
        assert row is not None
        row.incident_id, row.decision, row.decided_by = incident.id, "attached", "U0ALICE00"
        row.decided_at = incident.declared_at
    detail = firebell.api(f"/api/v1/alert-groups/{group_id}").json()
    assert detail["incident_number"] == incident.number
    assert detail["triage"] == {
        "decision": "attached",
        "reason": None,
        "note": None,
        "by": "U0ALICE00",
        "at": detail["triage"]["at"],
    }
    linked = firebell.api(f"/api/v1/incidents/{incident.number}/alerts").json()
    assert [a["name"] for a in linked] == ["A", "B"] and {a["incident_number"] for a in linked} == {incident.number}
    assert firebell.api("/api/v1/incidents/99/alerts").status_code == 404
    missing = firebell.api("/api/v1/alert-groups/999")
    assert missing.status_code == 404 and missing.json()["detail"] == "No alert group 999."


def test_group_list_filters_open(firebell: Firebell) -> None:
    closed = send(firebell, am_group(am_alert("A", "resolved"), key="k1"))
    opened = send(firebell, am_group(am_alert("B", service="search"), key="k2"))
    assert [g["id"] for g in firebell.api("/api/v1/alert-groups").json()] == [opened]
    assert [g["id"] for g in firebell.api("/api/v1/alert-groups", status="all").json()] == [opened, closed]


def test_reads_need_the_api_token(firebell: Firebell) -> None:
    for path in ("/api/v1/alerts", "/api/v1/alert-groups", "/api/v1/alert-groups/1", "/api/v1/incidents/1/alerts"):
        assert firebell.api(path, token=None).status_code == 401
        assert firebell.api(path, token="wrong").status_code == 401


def test_incidents_show_when_they_were_detected(firebell: Firebell) -> None:
    incident = declare_incident(firebell.runtime.ctx, DeclareRequest(title="Checkout down", declared_by="U0ALICE00"))
    [listed] = firebell.api("/api/v1/incidents").json()
    one = firebell.api(f"/api/v1/incidents/{incident.number}").json()
    for shown in (listed, one):
        assert shown["detected_at"] == shown["declared_at"] == shown["impact_started_at"]


def test_the_openapi_document_declares_the_alert_errors(firebell: Firebell) -> None:
    spec = httpx.get(f"{firebell.url}/openapi.json", timeout=10).json()
    intake = spec["paths"]["/api/v1/alerts/{source}"]
    assert set(intake) == {"post", "put"}
    assert {"200", "400", "401", "404", "413", "503"} <= set(intake["post"]["responses"])
    assert "/api/v1/alert-groups/{group_id}" in spec["paths"] and "/api/v1/incidents/{number}/alerts" in spec["paths"]
