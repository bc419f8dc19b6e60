"""Parsing webhook bodies: lenient where senders vary, precise (naming the field) where a body is wrong."""

import json
from datetime import datetime
from typing import Any

from firebell.domain.alerts.rules import MAX_FINGERPRINT, cap_annotations, label_fingerprint
from firebell.domain.alerts.shapes import AlertKind, AlertPayloadError, AlertStatus, ParsedAlert, ParsedGroup
from firebell.domain.alerts.timestamps import parse_timestamp

_STATUSES = "firing or resolved"


def parse_body(kind: AlertKind, body: bytes) -> ParsedGroup:
    """Parse one webhook request body of a source of `kind`; raise AlertPayloadError naming the field."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AlertPayloadError("(body)", f"not valid UTF-8 JSON ({exc})") from None
    if not isinstance(document, dict):
        raise AlertPayloadError("(body)", f"expected a JSON object, got {_type(document)}")
    if kind is AlertKind.GENERIC:
        return parse_generic(document)
    return parse_alertmanager(document, kind=kind)


def parse_alertmanager(document: dict[str, Any], *, kind: AlertKind = AlertKind.ALERTMANAGER) -> ParsedGroup:
    """An Alertmanager (version 4) or Grafana unified alerting (version 1) body; unknown fields are ignored."""
    if "alerts" not in document:
        if kind is AlertKind.GRAFANA and ("ruleName" in document or "evalMatches" in document):
            raise AlertPayloadError(
                "alerts", "missing: this is a legacy Grafana (<= 7) body; use a unified alerting contact point"
            )
        raise AlertPayloadError("alerts", "missing: expected a list of alerts (an Alertmanager-shaped body)")
    raw_alerts = document["alerts"]
    if not isinstance(raw_alerts, list):
        raise AlertPayloadError("alerts", f"expected a list, got {_type(raw_alerts)}")
    group_status = _status(document.get("status"), "status", default=None)
    alerts = tuple(
        _alertmanager_alert(item, f"alerts[{i}]", group_status or AlertStatus.FIRING)
        for i, item in enumerate(raw_alerts)
    )
    if group_status is None:  # absent: firing if any alert is
        firing = any(a.status is AlertStatus.FIRING for a in alerts)
        group_status = AlertStatus.FIRING if firing else AlertStatus.RESOLVED
    group_key = document.get("groupKey")
    if (group_key is not None and not isinstance(group_key, str | int)) or isinstance(group_key, bool):
        raise AlertPayloadError("groupKey", f"expected a string, got {_type(group_key)}")
    receiver = _optional_str(document, "receiver")
    group_labels = _string_map(document.get("groupLabels"), "groupLabels")
    if group_key is None or group_key == "":
        # Old or hand-made senders: the group is its receiver and group labels.
        group_key = json.dumps([receiver, sorted(group_labels.items())], ensure_ascii=False)
    truncated = document.get("truncatedAlerts", 0)
    if truncated is None:
        truncated = 0
    if not isinstance(truncated, int) or isinstance(truncated, bool) or truncated < 0:
        raise AlertPayloadError("truncatedAlerts", f"expected a whole number >= 0, got {truncated!r}")
    return ParsedGroup(
        kind=kind,
        status=group_status,
        alerts=alerts,
        group_key=str(group_key),
        receiver=receiver,
        group_labels=group_labels,
        common_labels=_string_map(document.get("commonLabels"), "commonLabels"),
        truncated_alerts=truncated,
        notification_reason=_optional_str(document, "notification_reason"),
        external_url=_optional_str(document, "externalURL"),
        title=_optional_str(document, "title") if kind is AlertKind.GRAFANA else None,
    )


def _alertmanager_alert(item: Any, where: str, group_status: AlertStatus) -> ParsedAlert:
    if not isinstance(item, dict):
        raise AlertPayloadError(where, f"expected an object, got {_type(item)}")
    labels = _string_map(item.get("labels"), f"{where}.labels")
    fingerprint = _fingerprint(item.get("fingerprint"), f"{where}.fingerprint") or label_fingerprint(labels)
    dashboard = _optional_str(item, "dashboardURL", where) or _optional_str(item, "panelURL", where)
    return ParsedAlert(
        fingerprint=fingerprint,
        # Decided by status, never by endsAt: a firing alert carries a future endsAt (the resolve timeout).
        status=_status(item.get("status"), f"{where}.status", default=group_status) or group_status,
        labels=labels,
        annotations=cap_annotations(_string_map(item.get("annotations"), f"{where}.annotations")),
        starts_at=_timestamp(item.get("startsAt"), f"{where}.startsAt"),
        ends_at=_timestamp(item.get("endsAt"), f"{where}.endsAt"),
        generator_url=_optional_str(item, "generatorURL", where),
        silence_url=_optional_str(item, "silenceURL", where),
        dashboard_url=dashboard,
    )


def parse_generic(document: dict[str, Any]) -> ParsedGroup:
    """Firebell's generic shape: `dedup_key`, `status`, `title`, `severity`, `labels`, `annotations`,
    `started_at`, `ended_at`, `url`; one alert per request."""
    status = _status(document.get("status"), "status", default=AlertStatus.FIRING) or AlertStatus.FIRING
    labels = _string_map(document.get("labels"), "labels")
    annotations = _string_map(document.get("annotations"), "annotations")
    title = _optional_str(document, "title")
    severity = document.get("severity")
    if (severity is not None and not isinstance(severity, str | int)) or isinstance(severity, bool):
        raise AlertPayloadError("severity", f"expected a string such as critical or warning, got {_type(severity)}")
    # The title and severity join the labels and annotations, so generic alerts group, map and show like others.
    if title:
        annotations.setdefault("title", title)
    if severity is not None and str(severity).strip():
        labels.setdefault("severity", str(severity).strip())
    fingerprint = _fingerprint(document.get("dedup_key"), "dedup_key")
    if fingerprint is None:
        if not labels:
            raise AlertPayloadError("dedup_key", "missing: give a dedup_key, or labels that identify the alert")
        fingerprint = label_fingerprint(labels)
    alert = ParsedAlert(
        fingerprint=fingerprint,
        status=status,
        labels=labels,
        annotations=cap_annotations(annotations),
        starts_at=_timestamp(document.get("started_at"), "started_at"),
        ends_at=_timestamp(document.get("ended_at"), "ended_at"),
        generator_url=_optional_str(document, "url"),
    )
    return ParsedGroup(kind=AlertKind.GENERIC, status=status, alerts=(alert,), title=title)


def _status(value: Any, where: str, *, default: AlertStatus | None) -> AlertStatus | None:
    if value is None or value == "":
        return default
    if isinstance(value, str) and value.strip().lower() in (AlertStatus.FIRING, AlertStatus.RESOLVED):
        return AlertStatus(value.strip().lower())
    raise AlertPayloadError(where, f"expected {_STATUSES}, got {value!r}")


def _timestamp(value: Any, where: str) -> datetime | None:
    try:
        return parse_timestamp(value)
    except ValueError as exc:
        raise AlertPayloadError(where, str(exc)) from None


def _fingerprint(value: Any, where: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise AlertPayloadError(where, f"expected a string, got {_type(value)}")
    text = str(value).strip()
    if len(text) > MAX_FINGERPRINT:
        raise AlertPayloadError(where, f"at most {MAX_FINGERPRINT} characters, got {len(text)}")
    return text or None


def _string_map(value: Any, where: str) -> dict[str, str]:
    """Labels and annotations: an object of strings (numbers and booleans are written as text)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise AlertPayloadError(where, f"expected an object of name: text, got {_type(value)}")
    result: dict[str, str] = {}
    for name, item in value.items():
        if isinstance(item, str):
            result[name] = item
        elif isinstance(item, bool):
            result[name] = "true" if item else "false"
        elif isinstance(item, int | float):
            result[name] = str(item)
        elif item is None:
            result[name] = ""
        else:
            raise AlertPayloadError(f"{where}.{name}", f"expected text, got {_type(item)}")
    return result


def _optional_str(document: dict[str, Any], key: str, where: str | None = None) -> str | None:
    value = document.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise AlertPayloadError(f"{where}.{key}" if where else key, f"expected a string, got {_type(value)}")
    return value


def _type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number" if isinstance(value, int | float) else type(value).__name__)
