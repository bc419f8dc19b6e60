"""Parsing alert webhooks (Alertmanager, Grafana, generic) and the pure rules on alerts."""

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from firebell.domain.alerts import (
    AlertKind,
    AlertPayloadError,
    AlertStatus,
    group_key_hash,
    group_key_of,
    label_fingerprint,
    meets_declare_rule,
    most_severe,
    parse_body,
    parse_timestamp,
    service_of,
    severity_of,
)
from firebell.domain.alerts.rules import CUT_MARK, MAX_ANNOTATION, within_window
from firebell.domain.policy import Policy

DATA = Path(__file__).parents[1] / "data" / "alerting"


def body(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


def am_alert(name: str = "HighLatency", status: str = "firing", **extra: Any) -> dict[str, Any]:
    alert: dict[str, Any] = {
        "status": status,
        "labels": {"alertname": name, "service": "checkout", "severity": "critical"},
        "annotations": {"summary": f"{name} on checkout"},
        "startsAt": "2026-12-07T13:50:00.123456789Z",
        "endsAt": "2026-12-07T14:10:00Z" if status == "firing" else "2026-12-07T14:03:00Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=up",
        "fingerprint": f"{abs(hash(name)) % 16**16:016x}",
    }
    alert.update(extra)
    return alert


def am_body(*alerts: dict[str, Any], **extra: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "version": "4",
        "groupKey": '{}/{severity=~"critical"}:{service="checkout"}',
        "truncatedAlerts": 0,
        "status": "firing" if any(a.get("status") == "firing" for a in alerts) else "resolved",
        "receiver": "firebell",
        "groupLabels": {"service": "checkout"},
        "commonLabels": {"service": "checkout"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": list(alerts),
    }
    document.update(extra)
    return document


def am(document: Any) -> Any:
    return parse_body(AlertKind.ALERTMANAGER, body(document))


def failure(kind: AlertKind, raw: bytes) -> AlertPayloadError:
    with pytest.raises(AlertPayloadError) as caught:
        parse_body(kind, raw)
    return caught.value


# --- the example payloads -------------------------------------------------------------------------


def test_alertmanager_example_without_fingerprint_hashes_its_labels() -> None:
    group = parse_body(AlertKind.ALERTMANAGER, (DATA / "alertmanager_firing_ntfy.json").read_bytes())
    assert group.status is AlertStatus.FIRING and group.group_key == "..." and group.receiver == "webhook-receiver"
    [alert] = group.alerts
    assert alert.status is AlertStatus.FIRING
    assert alert.fingerprint == label_fingerprint(alert.labels) and len(alert.fingerprint) == 16
    assert alert.starts_at == datetime(2025, 7, 17, 7, 0, tzinfo=UTC)
    assert alert.ends_at is None  # 0001-01-01 means unknown
    assert alert.name == "HighCPUUsage"
    assert alert.generator_url == "http://prometheus.local/graph?g0.expr=..."


def test_grafana_example_resolved_with_links() -> None:
    group = parse_body(AlertKind.GRAFANA, (DATA / "grafana_unified_resolved_ntfy.json").read_bytes())
    assert group.kind is AlertKind.GRAFANA and group.status is AlertStatus.RESOLVED
    assert group.group_key == '{}:{alertname="Load avg 15m too high", grafana_folder="Node alerts"}'
    assert group.title is not None and group.title.startswith("[RESOLVED]")
    [alert] = group.alerts
    assert alert.fingerprint == "becbfb94bd81ef48" and alert.status is AlertStatus.RESOLVED
    assert alert.ends_at == datetime(2024, 3, 15, 2, 42, tzinfo=UTC)
    assert alert.silence_url is not None and alert.silence_url.startswith("localhost:3000/alerting/silence/new")
    assert alert.dashboard_url is None  # sent as ""


# --- alertmanager ------------------------------------------------------------------------------------


def test_grouped_multi_alert_request() -> None:
    group = am(am_body(am_alert("A"), am_alert("B"), am_alert("C", status="resolved"), truncatedAlerts=12))
    assert [a.name for a in group.alerts] == ["A", "B", "C"]
    assert [a.status for a in group.alerts] == [AlertStatus.FIRING, AlertStatus.FIRING, AlertStatus.RESOLVED]
    assert group.truncated_alerts == 12 and group.status is AlertStatus.FIRING
    assert len({a.fingerprint for a in group.alerts}) == 3


def test_firing_then_resolved_same_group_and_fingerprint() -> None:
    fired = am(am_body(am_alert("A")))
    resolved = am(am_body(am_alert("A", status="resolved"), notification_reason="all alerts resolved"))
    assert fired.group_key == resolved.group_key and fired.alerts[0].fingerprint == resolved.alerts[0].fingerprint
    assert resolved.status is AlertStatus.RESOLVED and resolved.notification_reason == "all alerts resolved"
    assert resolved.alerts[0].ends_at == datetime(2026, 12, 7, 14, 3, tzinfo=UTC)


def test_exact_duplicate_parses_identically() -> None:
    raw = body(am_body(am_alert("A"), am_alert("B")))
    assert parse_body(AlertKind.ALERTMANAGER, raw) == parse_body(AlertKind.ALERTMANAGER, raw)


def test_firing_is_decided_by_status_not_by_a_past_ends_at() -> None:
    group = am(am_body(am_alert("A", endsAt="2000-01-01T00:00:00Z")))
    assert group.alerts[0].status is AlertStatus.FIRING


def test_missing_status_and_fingerprint_are_inferred() -> None:
    alert = am_alert("A")
    del alert["status"], alert["fingerprint"]
    group = am(am_body(alert, status="resolved"))
    assert group.alerts[0].status is AlertStatus.RESOLVED  # from the group
    assert group.alerts[0].fingerprint == label_fingerprint(alert["labels"])
    document = am_body(alert)
    del document["status"]
    assert am(document).alerts[0].status is AlertStatus.FIRING and am(document).status is AlertStatus.FIRING


def test_unknown_fields_ignored_and_old_shapes_accepted() -> None:
    document = am_body(am_alert("A", futureField={"x": 1}), routeLabels={"team": "pay"}, newTopLevel=[1, 2])
    document["groupKey"] = 42  # version 3 sent an integer
    del document["truncatedAlerts"]
    group = am(document)
    assert group.group_key == "42" and group.truncated_alerts == 0


def test_missing_group_key_falls_back_to_receiver_and_group_labels() -> None:
    first, second = am_body(am_alert("A")), am_body(am_alert("B"))
    del first["groupKey"], second["groupKey"]
    assert am(first).group_key == am(second).group_key
    second["groupLabels"] = {"service": "search"}
    assert am(first).group_key != am(second).group_key


def test_non_ascii_label_names_and_values() -> None:
    labels = {"alertname": "Überlast", "Σ": "σ", "🔥": "東京", "service": "paiement"}
    group = am(am_body(am_alert("x", labels=labels, fingerprint=None)))
    [alert] = group.alerts
    assert alert.labels == labels and alert.name == "Überlast"
    assert alert.fingerprint == label_fingerprint(dict(reversed(list(labels.items()))))


def test_large_annotations_are_capped_at_a_word_and_marked() -> None:
    description = "word " * 5000
    group = am(am_body(am_alert("A", annotations={"description": description, "summary": "short"})))
    kept = group.alerts[0].annotations
    assert kept["summary"] == "short"
    assert len(kept["description"]) <= MAX_ANNOTATION and kept["description"].endswith("word" + CUT_MARK)


def test_nanosecond_and_offset_timestamps() -> None:
    assert parse_timestamp("2026-12-07T15:50:00.123456789+02:00") == datetime(2026, 12, 7, 13, 50, 0, 123456, UTC)
    assert parse_timestamp("2026-12-07T13:50:00z") == datetime(2026, 12, 7, 13, 50, tzinfo=UTC)
    assert parse_timestamp("0001-01-01T00:00:00Z") is None and parse_timestamp(None) is None


@pytest.mark.parametrize(
    ("document", "field", "words"),
    [
        ({"version": "4", "status": "firing"}, "alerts", "missing"),
        ({"alerts": {"a": 1}}, "alerts", "expected a list, got an object"),
        ({"alerts": ["x"]}, "alerts[0]", "expected an object"),
        ({"alerts": [{"labels": {}, "startsAt": "yesterday"}]}, "alerts[0].startsAt", "RFC 3339"),
        ({"alerts": [{"startsAt": "2026-12-07T13:50:00"}]}, "alerts[0].startsAt", "no offset"),
        ({"alerts": [{"startsAt": 1733580000}]}, "alerts[0].startsAt", "got a number"),
        ({"alerts": [{"endsAt": "2026-13-07T13:50:00Z"}]}, "alerts[0].endsAt", "RFC 3339"),
        ({"alerts": [{"status": "pending"}]}, "alerts[0].status", "firing or resolved"),
        ({"alerts": [], "status": "ok"}, "status", "firing or resolved"),
        ({"alerts": [{"labels": ["a"]}]}, "alerts[0].labels", "expected an object"),
        ({"alerts": [{"labels": {"a": {"b": 1}}}]}, "alerts[0].labels.a", "expected text"),
        ({"alerts": [{"annotations": "x"}]}, "alerts[0].annotations", "expected an object"),
        ({"alerts": [{"fingerprint": ["x"]}]}, "alerts[0].fingerprint", "expected a string"),
        ({"alerts": [{"fingerprint": "f" * 300}]}, "alerts[0].fingerprint", "at most 255"),
        ({"alerts": [], "truncatedAlerts": "many"}, "truncatedAlerts", "whole number"),
        ({"alerts": [], "groupKey": {"a": 1}}, "groupKey", "expected a string"),
        ({"alerts": [{"generatorURL": 5}]}, "alerts[0].generatorURL", "expected a string"),
    ],
)
def test_wrong_bodies_name_the_field(document: dict[str, Any], field: str, words: str) -> None:
    error = failure(AlertKind.ALERTMANAGER, body(document))
    assert error.field == field and words in error.reason, error.message
    assert error.message.startswith(f"{field}: ")


@pytest.mark.parametrize("raw", [b"", b"{not json", b"\xff\xfe", b"[1, 2]", b'"alerts"', b"null"])
def test_unparseable_bodies(raw: bytes) -> None:
    assert failure(AlertKind.ALERTMANAGER, raw).field == "(body)"


def test_grafana_legacy_and_custom_template_bodies_are_refused_clearly() -> None:
    legacy = failure(AlertKind.GRAFANA, body({"ruleName": "CPU", "state": "alerting", "evalMatches": []}))
    assert legacy.field == "alerts" and "legacy Grafana" in legacy.reason
    custom = failure(AlertKind.GRAFANA, body({"text": "🚨 TestAlert - Notification test"}))
    assert custom.field == "alerts" and "missing" in custom.reason


# --- generic -------------------------------------------------------------------------------------------


def generic(**fields: Any) -> Any:
    return parse_body(AlertKind.GENERIC, body(fields))


def test_generic_alert_with_dedup_key() -> None:
    group = generic(
        dedup_key="disk-full-db1",
        status="firing",
        title="Disk full on db1",
        severity="critical",
        labels={"service": "db", "host": "db1"},
        annotations={"runbook_url": "https://wiki/disk"},
        started_at="2026-12-07T13:50:00Z",
        url="https://monitor.example.com/db1",
        unknown="ignored",
    )
    assert group.kind is AlertKind.GENERIC and group.group_key is None and group.title == "Disk full on db1"
    [alert] = group.alerts
    assert alert.fingerprint == "disk-full-db1" and alert.name == "Disk full on db1"
    assert alert.labels == {"service": "db", "host": "db1", "severity": "critical"}
    assert alert.annotations["title"] == "Disk full on db1" and alert.generator_url == "https://monitor.example.com/db1"
    assert alert.starts_at == datetime(2026, 12, 7, 13, 50, tzinfo=UTC) and alert.ends_at is None


def test_generic_without_dedup_key_hashes_labels_and_defaults_to_firing() -> None:
    group = generic(labels={"service": "db", "host": "db1"})
    assert group.alerts[0].fingerprint == label_fingerprint({"service": "db", "host": "db1"})
    assert group.status is AlertStatus.FIRING
    resolved = generic(labels={"host": "db1", "service": "db"}, status="resolved", ended_at="2026-12-07T14:00:00Z")
    assert resolved.alerts[0].fingerprint == group.alerts[0].fingerprint
    assert resolved.alerts[0].ends_at == datetime(2026, 12, 7, 14, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "no identity"}, "dedup_key"),
        ({"dedup_key": "k", "status": "open"}, "status"),
        ({"dedup_key": "k", "started_at": "soon"}, "started_at"),
        ({"dedup_key": "k", "labels": "x"}, "labels"),
        ({"dedup_key": "k", "severity": ["high"]}, "severity"),
        ({"dedup_key": {"k": 1}}, "dedup_key"),
        ({"dedup_key": "k", "title": 3}, "title"),
    ],
)
def test_generic_wrong_fields(fields: dict[str, Any], field: str) -> None:
    assert failure(AlertKind.GENERIC, body(fields)).field == field


# --- rules -----------------------------------------------------------------------------------------------


def test_label_fingerprint_is_order_independent_and_distinguishes_values() -> None:
    assert label_fingerprint({"a": "1", "b": "2"}) == label_fingerprint({"b": "2", "a": "1"})
    assert label_fingerprint({"a": "1"}) != label_fingerprint({"a": "2"})
    assert label_fingerprint({"a": "1,b"}) != label_fingerprint({"a": "1", "b": ""})


def test_group_key_hash_is_hex_sha256() -> None:
    assert group_key_hash('{}:{alertname="Fire"}') == hashlib.sha256(b'{}:{alertname="Fire"}').hexdigest()
    assert len(group_key_hash("x" * 5000)) == 64


def test_service_and_group_key_of_a_generic_group() -> None:
    group = generic(dedup_key="k", labels={"service": "db"})
    assert service_of(group, "service") == "db" and service_of(group, None) is None
    assert group_key_of(group, "db") == "service:db"
    am_group = am(am_body(am_alert("A")))
    assert group_key_of(am_group, "checkout") == am_group.group_key


def test_severity_mapping_and_declare_rule() -> None:
    policy = Policy()
    mapping = {"critical": "SEV2", "Warning": "SEV3"}
    assert severity_of({"severity": "CRITICAL"}, label="severity", mapping=mapping) == "SEV2"
    assert severity_of({"severity": "warning"}, label="severity", mapping=mapping) == "SEV3"
    assert severity_of({"severity": "info"}, label="severity", mapping=mapping) is None
    assert severity_of({}, label="severity", mapping=mapping) is None
    assert most_severe(["SEV3", None, "SEV2"], policy.rank) == "SEV2" and most_severe([None], policy.rank) is None
    assert meets_declare_rule("SEV2", "SEV2", policy.rank) and meets_declare_rule("SEV1", "SEV2", policy.rank)
    assert not meets_declare_rule("SEV3", "SEV2", policy.rank)
    assert not meets_declare_rule(None, "SEV2", policy.rank) and not meets_declare_rule("SEV1", None, policy.rank)


def test_grouping_window() -> None:
    at = datetime(2026, 12, 7, 14, tzinfo=UTC)
    assert within_window(at, at + timedelta(minutes=5), timedelta(minutes=5))
    assert not within_window(at, at + timedelta(minutes=5, seconds=1), timedelta(minutes=5))
