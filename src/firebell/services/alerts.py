"""Ingesting alerts: one webhook request, in one transaction, into alert occurrences and their group.

The seam for the Slack half: `ingest_alerts` returns an `IngestResult` saying what changed (new, re-fired
and resolved alerts, a group created or closed, a group that meets its declare rule), and calls `then`
inside the same transaction, so the triage message, an alert-born declare or a war-room note can be
enqueued as outbox effects that commit with the alerts or not at all.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from firebell.domain.alert_sources import AlertSource
from firebell.domain.alerts import (
    AlertStatus,
    ParsedAlert,
    ParsedGroup,
    group_key_hash,
    group_key_of,
    meets_declare_rule,
    most_severe,
    service_of,
    severity_of,
)
from firebell.domain.lifecycle import Status
from firebell.services.context import Context
from firebell.store.inserts import insert_ignoring_duplicates
from firebell.store.models import Alert, AlertGroup, AlertGroupKey, Incident

log = logging.getLogger(__name__)

ATTEMPTS = 3  # a lost race on the one-firing-per-fingerprint index (or a deadlock) is retried whole
_OPEN_INCIDENT = (Status.INVESTIGATING.value, Status.MITIGATED.value)
_CHUNK = 500


@dataclass
class IngestResult:
    """What one request changed, for whoever acts on it next (triage, declare, war-room notes)."""

    group_id: int
    group_created: bool
    group_closed: bool  # this request left no alert of the group firing
    incident_id: int | None
    severity: str | None  # the group's most severe mapped severity
    declare: bool  # the group meets its source's declare rule and nobody has decided about it yet
    new_alert_ids: list[int] = field(default_factory=list)  # first occurrences, firing
    refired_alert_ids: list[int] = field(default_factory=list)  # new occurrences after a resolve
    resolved_alert_ids: list[int] = field(default_factory=list)
    repeated: int = 0  # alerts received again in the state they were already in


AfterIngest = Callable[[Session, AlertGroup, IngestResult], None]


def ingest_alerts(
    ctx: Context, source: AlertSource, group: ParsedGroup, *, then: AfterIngest | None = None
) -> IngestResult:
    """Record one parsed request in one transaction (never half of it); `then` runs inside that transaction."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with ctx.db.transaction() as session:
                result = _ingest(session, ctx, source, group)
                if then is not None:
                    stored = session.get(AlertGroup, result.group_id)
                    assert stored is not None
                    then(session, stored, result)
                return result
        except (IntegrityError, OperationalError) as exc:
            if attempt == ATTEMPTS or not _retryable(exc):
                raise
            log.info("alert ingest for source %s raced another; retrying (attempt %d)", source.name, attempt)
    raise AssertionError("unreachable")


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    # PostgreSQL deadlock_detected / serialization_failure
    return getattr(getattr(exc, "orig", None), "sqlstate", None) in ("40P01", "40001")


def _ingest(session: Session, ctx: Context, source: AlertSource, parsed: ParsedGroup) -> IngestResult:
    now = ctx.clock()
    service = service_of(parsed, source.service_label)
    key = group_key_of(parsed, service)
    key_hash = group_key_hash(key)
    alerts = list({alert.fingerprint: alert for alert in parsed.alerts}.values())  # a repeated one: the last wins

    key_row, service_row = _lock_keys(session, source.name, key_hash, service)
    latest = _latest_occurrences(session, source.name, [a.fingerprint for a in alerts])
    any_firing = any(_fires(latest.get(a.fingerprint), a) for a in alerts)
    group, created = _find_group(session, ctx, key_row, service_row, any_firing=any_firing, now=now)
    if group is None:
        group = AlertGroup(
            source=source.name,
            group_key=key,
            group_key_hash=key_hash,
            service=service,
            status="open",
            truncated_alerts=0,
            created_at=now,
            updated_at=now,
        )
        session.add(group)
        session.flush()
        created = True
    key_row.group_id = group.id
    if service_row is not None and group.status == "open":
        service_row.group_id = group.id
    group.updated_at = now
    group.truncated_alerts = parsed.truncated_alerts
    group.notification_reason = parsed.notification_reason or group.notification_reason
    group.external_url = parsed.external_url or group.external_url
    group.title = parsed.title or group.title

    result = IngestResult(
        group_id=group.id, group_created=created, group_closed=False, incident_id=None, severity=None, declare=False
    )
    _upsert_alerts(session, source.name, group, alerts, latest, now=now, result=result)
    if source.severity_from is not None and group.status == "open":
        mapped = (
            severity_of(a.labels, label=source.severity_from.label, mapping=source.severity_from.map)
            for a in alerts
            if a.status is AlertStatus.FIRING
        )
        group.severity = most_severe([group.severity, *mapped], ctx.policy.rank)
    if group.status == "open" and not any_firing and not _firing_in(session, group.id):
        group.status, group.closed_at = "closed", now
        result.group_closed = True
    session.flush()
    result.incident_id = group.incident_id
    result.severity = group.severity
    rule = source.declare.min_severity if source.declare else None
    result.declare = (
        group.status == "open"
        and group.incident_id is None
        and group.decision is None
        and meets_declare_rule(group.severity, rule, ctx.policy.rank)
    )
    return result


def _lock_keys(
    session: Session, source: str, key_hash: str, service: str | None
) -> tuple[AlertGroupKey, AlertGroupKey | None]:
    """Insert the group key's row (and the service's) if missing, then lock them, the key first: every
    ingest locks in that order, so two never wait on each other in a circle."""
    service_hash = group_key_hash(f"service:{service}") if service else None
    rows = [{"source": source, "key_hash": key_hash, "group_id": None}]
    if service_hash and service_hash != key_hash:
        rows.append({"source": source, "key_hash": service_hash, "group_id": None})
    insert_ignoring_duplicates(session, AlertGroupKey, rows)

    def locked(hash_: str) -> AlertGroupKey:
        query = select(AlertGroupKey).where(AlertGroupKey.source == source, AlertGroupKey.key_hash == hash_)
        return session.execute(query.with_for_update().execution_options(populate_existing=True)).scalar_one()

    key_row = locked(key_hash)
    if service_hash is None:
        return key_row, None
    return key_row, key_row if service_hash == key_hash else locked(service_hash)


def _find_group(
    session: Session,
    ctx: Context,
    key_row: AlertGroupKey,
    service_row: AlertGroupKey | None,
    *,
    any_firing: bool,
    now: datetime,
) -> tuple[AlertGroup | None, bool]:
    """The group this request belongs to: the key's open group; else the service's open group within the
    grouping window; else the key's last group, reopened if its incident is still open (or left closed if
    the request only resolves). None: a new group is needed."""
    last = session.get(AlertGroup, key_row.group_id) if key_row.group_id is not None else None
    if last is not None and last.status == "open":
        return last, False
    if service_row is not None and service_row.group_id is not None:
        shared = session.get(AlertGroup, service_row.group_id)
        window = ctx.policy.alert_grouping_window
        if shared is not None and shared.status == "open" and now - shared.updated_at <= window:
            return shared, False
    if last is None:
        return None, False
    if not any_firing:
        return last, False  # a late "resolved" for a group already closed: recorded on it, not a new group
    if last.incident_id is not None:
        status = session.scalar(select(Incident.status).where(Incident.id == last.incident_id))
        if status in _OPEN_INCIDENT:
            last.status, last.closed_at = "open", None
            return last, False
    return None, False


def _upsert_alerts(
    session: Session,
    source: str,
    group: AlertGroup,
    alerts: Sequence[ParsedAlert],
    latest: dict[str, Alert],
    *,
    now: datetime,
    result: IngestResult,
) -> None:
    fresh: list[tuple[Alert, str]] = []
    for parsed in alerts:
        current = latest.get(parsed.fingerprint)
        firing = parsed.status is AlertStatus.FIRING
        if current is None:
            fresh.append((_occurrence(source, group, parsed, now, previous=None), "new" if firing else "seen"))
        elif current.status == AlertStatus.FIRING.value or not firing or _late_copy(current, parsed):
            # The same occurrence again: still firing, resolved now, or a firing copy delivered after its resolve.
            _received_again(current, parsed, now, result)
        else:
            fresh.append((_occurrence(source, group, parsed, now, previous=current), "refired"))
    if fresh:
        session.add_all([alert for alert, _ in fresh])
        session.flush()
        for alert, what in fresh:
            if what == "new":
                result.new_alert_ids.append(alert.id)
            elif what == "refired":
                result.refired_alert_ids.append(alert.id)


def _latest_occurrences(session: Session, source: str, fingerprints: list[str]) -> dict[str, Alert]:
    latest: dict[str, Alert] = {}
    for start in range(0, len(fingerprints), _CHUNK):
        chunk = fingerprints[start : start + _CHUNK]
        newest = (
            select(Alert.fingerprint, func.max(Alert.occurrence).label("occurrence"))
            .where(Alert.source == source, Alert.fingerprint.in_(chunk))
            .group_by(Alert.fingerprint)
            .subquery()
        )
        query = select(Alert).join(
            newest, (Alert.fingerprint == newest.c.fingerprint) & (Alert.occurrence == newest.c.occurrence)
        )
        for alert in session.scalars(query.where(Alert.source == source)):
            latest[alert.fingerprint] = alert
    return latest


def _fires(current: Alert | None, parsed: ParsedAlert) -> bool:
    """Whether `parsed` is (or keeps) an alert firing, as opposed to a resolve or a late copy of a resolved one."""
    if parsed.status is not AlertStatus.FIRING:
        return False
    return current is None or current.status == AlertStatus.FIRING.value or not _late_copy(current, parsed)


def _late_copy(current: Alert, parsed: ParsedAlert) -> bool:
    # A firing report of the occurrence that has since resolved (a retry or an HA peer delivered out of order):
    # the same startsAt is the same occurrence, not a new one.
    return parsed.starts_at is not None and parsed.starts_at == current.starts_at


def _occurrence(source: str, group: AlertGroup, parsed: ParsedAlert, now: datetime, *, previous: Alert | None) -> Alert:
    resolved = parsed.status is AlertStatus.RESOLVED
    return Alert(
        source=source,
        fingerprint=parsed.fingerprint,
        occurrence=previous.occurrence + 1 if previous else 1,
        previous_id=previous.id if previous else None,
        status=parsed.status.value,
        name=parsed.name[:500],
        labels=parsed.labels,
        annotations=parsed.annotations,
        starts_at=parsed.starts_at or now,
        ends_at=(parsed.ends_at or now) if resolved else None,
        first_seen_at=now,
        last_seen_at=now,
        deliveries=1,
        group_id=group.id,
        generator_url=parsed.generator_url,
        silence_url=parsed.silence_url,
        dashboard_url=parsed.dashboard_url,
    )


def _received_again(current: Alert, parsed: ParsedAlert, now: datetime, result: IngestResult) -> None:
    current.deliveries += 1
    current.last_seen_at = now
    if parsed.status is AlertStatus.RESOLVED and current.status == AlertStatus.FIRING.value:
        current.status = AlertStatus.RESOLVED.value
        current.ends_at = parsed.ends_at or now
        result.resolved_alert_ids.append(current.id)
    else:
        result.repeated += 1
    if parsed.annotations != current.annotations:
        current.annotations = parsed.annotations
    for attribute in ("generator_url", "silence_url", "dashboard_url"):
        value = getattr(parsed, attribute)
        if value and value != getattr(current, attribute):
            setattr(current, attribute, value)


def _firing_in(session: Session, group_id: int) -> bool:
    query = select(Alert.id).where(Alert.group_id == group_id, Alert.status == AlertStatus.FIRING.value).limit(1)
    return session.scalar(query) is not None
