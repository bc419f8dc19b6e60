"""The alert webhooks through real HTTP: who may send, what each answer means, and what is stored."""

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from firebell.store.models import Alert, AlertGroup
from tests.api.alerts.conftest import GENERIC_TOKEN, GRAFANA_TOKEN, HMAC_SECRET, PROM_TOKEN
from tests.api.alerts.payloads import am_alert, am_group
from tests.harness import Firebell

DATA = Path(__file__).parents[2] / "data" / "alerting"


def post(
    firebell: Firebell, source: str, document: Any, *, token: str | None = PROM_TOKEN, method: str = "POST", **kw: Any
) -> httpx.Response:
    headers = dict(kw.pop("headers", {}))
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    content = document if isinstance(document, bytes) else json.dumps(document).encode()
    return httpx.request(
        method, f"{firebell.url}/api/v1/alerts/{source}", content=content, headers=headers, timeout=30, **kw
    )


def count(firebell: Firebell, model: type[Any]) -> int:
    with firebell.runtime.ctx.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_alertmanager_and_grafana_examples_are_stored(firebell: Firebell) -> None:
    answer = post(firebell, "prometheus", (DATA / "alertmanager_firing_ntfy.json").read_bytes())
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"group_id": 1, "alerts": 1, "new": 1, "refired": 0, "resolved": 0, "repeated": 0}
    raw = (DATA / "grafana_unified_resolved_ntfy.json").read_bytes()
    assert post(firebell, "grafana", raw, token=GRAFANA_TOKEN).status_code == 200
    listed = firebell.api("/api/v1/alerts").json()
    grafana, prom = listed
    assert prom["source"] == "prometheus" and prom["status"] == "firing" and prom["ends_at"] is None
    assert prom["labels"] == {"alertname": "HighCPUUsage", "instance": "server01", "severity": "critical"}
    assert (
        prom["starts_at"] == "2025-07-17T07:00:00Z" and prom["deliveries"] == 1 and prom["incident_number"] == 1
    )  # critical: SEV2 declares
    assert grafana["fingerprint"] == "becbfb94bd81ef48" and grafana["status"] == "resolved"
    assert grafana["ends_at"] == "2024-03-15T02:42:00Z" and grafana["silence_url"].startswith("localhost:3000")
    required = {"id", "source", "fingerprint", "status", "labels", "annotations", "starts_at", "ends_at"}
    assert required | {"last_seen_at", "deliveries", "group_id", "incident_number"} <= set(prom)


def test_unknown_source_is_404(firebell: Firebell) -> None:
    answer = post(firebell, "nagios", am_group(am_alert("A")))
    assert answer.status_code == 404 and "alert_sources" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("source", "token", "words"),
    [
        ("prometheus", None, "Send Authorization: Bearer"),
        ("prometheus", "wrong", "Invalid token"),
        ("prometheus", GRAFANA_TOKEN, "Invalid token"),  # another source's token
        ("unset", None, "has no token configured"),  # its token_env is not set: refuses everything
        ("unset", "anything", "has no token configured"),
    ],
)
def test_tokens(firebell: Firebell, source: str, token: str | None, words: str) -> None:
    answer = post(firebell, source, am_group(am_alert("A")), token=token)
    assert answer.status_code == 401 and words in answer.json()["detail"]
    assert count(firebell, Alert) == 0


def test_bodies_over_one_mebibyte_are_413_by_length_and_by_streaming(firebell: Firebell) -> None:
    big = am_group(am_alert("A", annotations={"description": "x" * (1024 * 1024)}))
    answer = post(firebell, "prometheus", big)
    assert answer.status_code == 413 and "1 MiB" in answer.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked, counted as it arrives
        raw = json.dumps(big).encode()
        for start in range(0, len(raw), 64 * 1024):
            yield raw[start : start + 64 * 1024]

    streamed = httpx.post(
        f"{firebell.url}/api/v1/alerts/prometheus",
        content=chunks(),
        headers={"Authorization": f"Bearer {PROM_TOKEN}"},
        timeout=30,
    )
    assert streamed.status_code == 413 and count(firebell, Alert) == 0


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b"{not json", "(body)"),
        (json.dumps({"version": "4", "status": "firing"}).encode(), "alerts"),
        (json.dumps(am_group(am_alert("A"), am_alert("B", startsAt="yesterday"))).encode(), "alerts[1].startsAt"),
        (json.dumps(am_group(am_alert("A", labels=["x"]))).encode(), "alerts[0].labels"),
    ],
)
def test_a_wrong_body_is_400_naming_the_field_and_stores_nothing(firebell: Firebell, raw: bytes, field: str) -> None:
    answer = post(firebell, "prometheus", raw)
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] == field and answer.json()["detail"].startswith(field)
    assert "Traceback" not in answer.text and count(firebell, Alert) == count(firebell, AlertGroup) == 0


def test_put_only_for_grafana(firebell: Firebell) -> None:
    assert post(firebell, "prometheus", am_group(am_alert("A")), method="PUT").status_code == 405
    answer = post(firebell, "grafana", am_group(am_alert("A")), token=GRAFANA_TOKEN, method="PUT")
    assert answer.status_code == 200 and answer.json()["new"] == 1


def signed(body: bytes, stamp: str, secret: str = HMAC_SECRET) -> dict[str, str]:
    signature = hmac.new(secret.encode(), stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Grafana-Alerting-Signature": signature, "X-Grafana-Alerting-Timestamp": stamp}


def test_grafana_hmac_signature_with_timestamp(firebell: Firebell) -> None:
    raw = (DATA / "grafana_unified_resolved_ntfy.json").read_bytes()
    now = str(int(time.time()))
    assert post(firebell, "signed", raw, token=None, headers=signed(raw, now)).status_code == 200
    wrong = post(firebell, "signed", raw, token=None, headers=signed(raw, now, secret="guess"))
    assert wrong.status_code == 401 and "Invalid X-Grafana-Alerting-Signature" in wrong.json()["detail"]
    tampered = post(
        firebell, "signed", raw.replace(b"2024-03-15T02:42", b"2024-03-15T02:43"), token=None, headers=signed(raw, now)
    )
    assert tampered.status_code == 401
    stale = str(int(time.time()) - 3600)
    old = post(firebell, "signed", raw, token=None, headers=signed(raw, stale))
    assert old.status_code == 401 and "Stale" in old.json()["detail"]
    unsigned = post(firebell, "signed", raw, token=None)
    assert unsigned.status_code == 401 and "Missing X-Grafana-Alerting-Signature" in unsigned.json()["detail"]
    assert count(firebell, Alert) == 1


def test_generic_source(firebell: Firebell) -> None:
    event_ = {
        "dedup_key": "db1-disk",
        "status": "firing",
        "title": "Disk full",
        "severity": "critical",
        "labels": {"service": "db"},
    }
    first = post(firebell, "generic", event_, token=GENERIC_TOKEN)
    assert first.status_code == 200 and first.json()["new"] == 1
    done = post(
        firebell, "generic", {**event_, "status": "resolved", "ended_at": "2026-12-07T14:00:00Z"}, token=GENERIC_TOKEN
    )
    assert done.json()["resolved"] == 1
    [stored] = firebell.api("/api/v1/alerts", source="generic").json()
    assert stored["fingerprint"] == "db1-disk" and stored["annotations"]["title"] == "Disk full"
    assert stored["ends_at"] == "2026-12-07T14:00:00Z" and stored["deliveries"] == 2


def test_fifty_deliveries_are_one_alert(firebell: Firebell) -> None:
    document = am_group(am_alert("A"), am_alert("B"))
    answers = [post(firebell, "prometheus", document) for _ in range(50)]
    assert {a.status_code for a in answers} == {200} and answers[-1].json()["repeated"] == 2
    alerts = firebell.api("/api/v1/alerts").json()
    assert [a["deliveries"] for a in alerts] == [50, 50] and count(firebell, AlertGroup) == 1


def test_resolve_then_fire_again_links_the_occurrences(firebell: Firebell) -> None:
    post(firebell, "prometheus", am_group(am_alert("A")))
    resolved = post(
        firebell, "prometheus", am_group(am_alert("A", "resolved"), notification_reason="all alerts resolved")
    )
    assert resolved.json()["resolved"] == 1
    refired = post(firebell, "prometheus", am_group(am_alert("A", startsAt="2026-12-07T15:00:00Z")))
    assert refired.json()["refired"] == 1
    second, first = firebell.api("/api/v1/alerts").json()
    assert (first["status"], first["ends_at"]) == ("resolved", "2026-12-07T14:03:00Z")
    assert second["status"] == "firing" and second["occurrence"] == 2 and second["previous_id"] == first["id"]
    firing = firebell.api("/api/v1/alerts", status="firing").json()
    assert [a["id"] for a in firing] == [second["id"]]
    groups = firebell.api("/api/v1/alert-groups", status="all").json()
    assert [g["status"] for g in groups] == ["open", "closed"]
    assert groups[1]["notification_reason"] == "all alerts resolved"


def test_storm_makes_dozens_of_groups(firebell: Firebell) -> None:
    services = [f"svc{i}" for i in range(30)]
    payloads = [
        am_group(*(am_alert(f"Alert{n}", service=svc) for n in range(100)), key=f'{{}}:{{service="{svc}"}}')
        for svc in services
    ]
    for _ in range(2):  # then the same payloads again, as Alertmanager re-sends
        for document in payloads:
            assert post(firebell, "prometheus", document).status_code == 200
    assert count(firebell, AlertGroup) == 30 and count(firebell, Alert) == 3000
    groups = firebell.api("/api/v1/alert-groups", limit=200).json()
    assert (
        len(groups) == 30
        and {g["alert_count"] for g in groups} == {100}
        and {g["firing_count"] for g in groups} == {100}
    )


def test_a_store_failure_is_503_and_stores_nothing(firebell: Firebell) -> None:
    engine = firebell.runtime.ctx.db.engine

    def fail(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO ALERTS"):
            raise OperationalError(statement, {}, Exception("disk full"))

    event.listen(engine, "before_cursor_execute", fail)
    try:
        answer = post(firebell, "prometheus", am_group(am_alert("A")))
    finally:
        event.remove(engine, "before_cursor_execute", fail)
    assert answer.status_code == 503 and "Retry" in answer.json()["detail"] and "disk full" not in answer.text
    assert count(firebell, AlertGroup) == 0
    assert post(firebell, "prometheus", am_group(am_alert("A"))).status_code == 200  # the retry lands


def test_labels_are_stored_as_given_and_large_annotations_are_capped(firebell: Firebell) -> None:
    labels = {"alertname": "Überlast", "Σ": "東京", "🔥": "<!channel> & <@U123>", "service": "checkout"}
    document = am_group(am_alert("x", labels=labels, annotations={"description": "word " * 2000}))
    assert post(firebell, "prometheus", document).status_code == 200
    [stored] = firebell.api("/api/v1/alerts").json()
    assert stored["labels"] == labels and stored["name"] == "Überlast"
    assert len(stored["annotations"]["description"]) <= 4000 and stored["annotations"]["description"].endswith("(cut)")


def test_a_method_the_webhook_does_not_take_is_refused_naming_both_it_does(firebell: Firebell) -> None:
    for method in ("GET", "OPTIONS", "DELETE"):
        answer = httpx.request(method, f"{firebell.url}/api/v1/alerts/prometheus", timeout=10)
        assert (answer.status_code, answer.headers["allow"]) == (405, "POST, PUT"), method
