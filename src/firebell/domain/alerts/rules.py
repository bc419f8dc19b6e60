"""Alert identity and the decisions a source's policy makes: fingerprints, group keys, severity, declare."""

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from firebell.domain.alerts.shapes import AlertStatus, ParsedAlert, ParsedGroup

MAX_FINGERPRINT = 255  # as PagerDuty's dedup_key
MAX_ANNOTATION = 4000  # characters kept of each annotation value; the rest is cut, marked
CUT_MARK = " …(cut)"


def label_fingerprint(labels: dict[str, str]) -> str:
    """A stable 16-hex-digit hash of a label set (same labels in any order, same fingerprint)."""
    canonical = json.dumps(sorted(labels.items()), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def group_key_hash(group_key: str) -> str:
    """The hex SHA-256 of a group key (as Alertmanager's own PagerDuty notifier keys a group)."""
    return hashlib.sha256(group_key.encode("utf-8")).hexdigest()


def service_of(group: ParsedGroup, service_label: str | None) -> str | None:
    """The service a group affects: its common `service_label` value, else the first alert that has one."""
    if not service_label:
        return None
    if group.common_labels.get(service_label):
        return group.common_labels[service_label]
    return next((a.labels[service_label] for a in group.alerts if a.labels.get(service_label)), None)


def group_key_of(group: ParsedGroup, service: str | None) -> str:
    """The sender's group key; for a generic source (no sender groups), the service it affects."""
    return group.group_key if group.group_key is not None else f"service:{service or ''}"


def cap_annotations(annotations: dict[str, str], limit: int = MAX_ANNOTATION) -> dict[str, str]:
    """Annotations with each value cut to `limit` characters (at a space when one is near), marked as cut."""
    capped: dict[str, str] = {}
    for name, value in annotations.items():
        if len(value) <= limit:
            capped[name] = value
            continue
        head = value[: limit - len(CUT_MARK)]
        space = head.rfind(" ")
        if space > len(head) - 80:
            head = head[:space]
        capped[name] = head + CUT_MARK
    return capped


def severity_of(labels: dict[str, str], *, label: str, mapping: dict[str, str]) -> str | None:
    """The incident severity an alert's `label` value maps to (case-insensitive), None when unmapped."""
    value = labels.get(label)
    if value is None:
        return None
    lowered = {key.lower(): severity for key, severity in mapping.items()}
    return lowered.get(value.strip().lower())


def most_severe(severities: Iterable[str | None], rank: Callable[[str], int]) -> str | None:
    """The most severe of the mapped severities (lowest rank), None when none mapped."""
    known = [s for s in severities if s is not None]
    return min(known, key=rank) if known else None


def meets_declare_rule(severity: str | None, min_severity: str | None, rank: Callable[[str], int]) -> bool:
    """At or above the rule's minimum severity declares; below it (or unmapped, or no rule) is triaged."""
    if severity is None or min_severity is None:
        return False
    return rank(severity) <= rank(min_severity)


def firing(alerts: Iterable[ParsedAlert]) -> list[ParsedAlert]:
    """The alerts that are firing."""
    return [a for a in alerts if a.status is AlertStatus.FIRING]


def within_window(last_activity: datetime, now: datetime, window: timedelta) -> bool:
    """Whether a group last active at `last_activity` still takes alerts of its service arriving `now`."""
    return now - last_activity <= window
