"""Alerts from Alertmanager, Grafana and generic webhooks: shapes, parsing and the rules on them (pure)."""

from firebell.domain.alerts.parsing import parse_alertmanager, parse_body, parse_generic
from firebell.domain.alerts.rules import (
    group_key_hash,
    group_key_of,
    label_fingerprint,
    meets_declare_rule,
    most_severe,
    service_of,
    severity_of,
)
from firebell.domain.alerts.shapes import AlertKind, AlertPayloadError, AlertStatus, ParsedAlert, ParsedGroup
from firebell.domain.alerts.timestamps import parse_timestamp

__all__ = [
    "AlertKind",
    "AlertPayloadError",
    "AlertStatus",
    "ParsedAlert",
    "ParsedGroup",
    "group_key_hash",
    "group_key_of",
    "label_fingerprint",
    "meets_declare_rule",
    "most_severe",
    "parse_alertmanager",
    "parse_body",
    "parse_generic",
    "parse_timestamp",
    "service_of",
    "severity_of",
]
