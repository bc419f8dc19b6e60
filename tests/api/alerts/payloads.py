"""Alertmanager-shaped webhook bodies for the tests (version 4, a group of alerts as it stands)."""

import hashlib
from typing import Any


def am_alert(name: str, status: str = "firing", *, service: str = "checkout", **extra: Any) -> dict[str, Any]:
    """One alert of an Alertmanager request."""
    alert: dict[str, Any] = {
        "status": status,
        "labels": {"alertname": name, "service": service, "severity": "warning", "instance": f"{name}:9100"},
        "annotations": {"summary": f"{name} is unhappy"},
        "startsAt": "2026-12-07T13:50:00.123456789Z",
        "endsAt": "2026-12-07T14:30:00Z" if status == "firing" else "2026-12-07T14:03:00Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=up",
        "fingerprint": hashlib.sha256(f"{name}/{service}".encode()).hexdigest()[:16],
    }
    alert.update(extra)
    return alert


def am_group(*alerts: dict[str, Any], key: str = '{}:{service="checkout"}', **extra: Any) -> dict[str, Any]:
    """An Alertmanager request carrying `alerts` as one group."""
    document: dict[str, Any] = {
        "version": "4",
        "groupKey": key,
        "truncatedAlerts": 0,
        "status": "firing" if any(a.get("status") == "firing" for a in alerts) else "resolved",
        "receiver": "firebell",
        "groupLabels": {"service": "checkout"},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": list(alerts),
    }
    document.update(extra)
    return document
