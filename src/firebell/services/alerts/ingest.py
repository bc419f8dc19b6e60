"""Ingesting alerts: one webhook request, in one transaction, into alert occurrences and their group.

The seam for the Slack half: `ingest_alerts` returns an `IngestResult` saying what changed (new, re-fired
and resolved alerts, a group created or closed, a group that meets its declare rule), and calls `then`
inside the same transaction, so the triage message, an alert-born declare or a war-room note can be
enqueued as outbox effects that commit with the alerts or not at all.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from firebell.domain.alert_sources import AlertSource
from firebell.domain.alerts import (
    AlertStatus,
    ParsedGroup,
    group_key_hash,
    group_key_of,
    meets_declare_rule,
    most_severe,
    service_of,
    severity_of,
)
from firebell.domain.lifecycle import Status
from firebell.services.alerts.rows import fires, latest_occurrences, write_alerts
from firebell.services.context import Context
from firebell.store.conflicts import lost_a_race
from firebell.store.inserts import insert_ignoring_duplicates
from firebell.store.models import Alert, AlertGroup, AlertGroupKey, Incident

log = logging.getLogger(__name__)

ATTEMPTS = 3  # a lost race on the one-firing-per-fingerprint index (or a deadlock) is retried whole
_OPEN_INCIDENT = (Status.INVESTIGATING.value, Status.MITIGATED.value)


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
    retitled: bool = False  # an existing group's title or severity changed (what its triage message shows)


AfterIngest = Callable[[Session, AlertGroup, IngestResult], None]


def ingest_alerts(
    ctx: Context, source: AlertSource, group: ParsedGroup, *, then: AfterIngest | None = None
) -> IngestResult:
    """Record one parsed request in one transaction (never half of it); `then` runs inside that transaction."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with ctx.db.transaction() as session:
                # The group is handed on, not looked up again: the session holds it weakly once flushed,
                # so a second get was a second SELECT per request.
                result, stored = _ingest(session, ctx, source, group)
                if then is not None:
                    then(session, stored, result)
                return result
        except (IntegrityError, OperationalError) as exc:
            if attempt == ATTEMPTS or not _retryable(exc):
                raise
            log.info("alert ingest for source %s raced another; retrying (attempt %d)", source.name, attempt)
    raise AssertionError("unreachable")


def _retryable(exc: Exception) -> bool:
    return isinstance(exc, IntegrityError) or lost_a_race(exc)


def _ingest(
    session: Session, ctx: Context, source: AlertSource, parsed: ParsedGroup
) -> tuple[IngestResult, AlertGroup]:
    now = ctx.clock()
    # Text from outside is cut to its column, never refused by the store: a 5xx would make the sender retry forever.
    service = _cut(service_of(parsed, source.service_label), 200)
    key = group_key_of(parsed, service)
    key_hash = group_key_hash(key)
    alerts = list({alert.fingerprint: alert for alert in parsed.alerts}.values())  # a repeated one: the last wins

    key_row, service_row = _lock_keys(session, source.name, key_hash, service)
    latest = latest_occurrences(session, source.name, [a.fingerprint for a in alerts])
    any_firing = any(fires(latest.get(a.fingerprint), a) for a in alerts)
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
    shown_before = (group.title, group.severity)
    key_row.group_id = group.id
    if service_row is not None and group.status == "open":
        service_row.group_id = group.id
    group.updated_at = now
    group.truncated_alerts = parsed.truncated_alerts
    group.notification_reason = _cut(parsed.notification_reason, 200) or group.notification_reason
    group.external_url = _cut(parsed.external_url, 2000) or group.external_url
    group.title = _cut(parsed.title, 500) or group.title

    result = IngestResult(
        group_id=group.id, group_created=created, group_closed=False, incident_id=None, severity=None, declare=False
    )
    written = write_alerts(session, source.name, group.id, alerts, latest, now=now)
    result.new_alert_ids, result.refired_alert_ids = written.new_ids, written.refired_ids
    result.resolved_alert_ids, result.repeated = written.resolved_ids, written.repeated
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
    result.retitled = not created and (group.title, group.severity) != shown_before
    rule = source.declare.min_severity if source.declare else None
    result.declare = (
        group.status == "open"
        and group.incident_id is None
        and group.decision is None
        and meets_declare_rule(group.severity, rule, ctx.policy.rank)
    )
    return result, group


def _cut(text: str | None, limit: int) -> str | None:
    return text[:limit] if text else text


def _lock_keys(
    session: Session, source: str, key_hash: str, service: str | None
) -> tuple[AlertGroupKey, AlertGroupKey | None]:
    """Insert the group key's row (and the service's) if missing, then lock them, the key first: every
    ingest locks in that order, so two never wait on each other in a circle."""
    service_hash = group_key_hash(f"service:{service}") if service else None
    rows = [{"source": source, "key_hash": key_hash, "group_id": None}]
    if service_hash and service_hash != key_hash:
        rows.append({"source": source, "key_hash": service_hash, "group_id": None})
    if session.get_bind().dialect.name == "postgresql":
        # One round trip: an upsert that touches the rows takes their locks (in VALUES order, the key first).
        values = postgresql_insert(AlertGroupKey).values(rows)
        upsert = values.on_conflict_do_update(
            index_elements=["source", "key_hash"], set_={"key_hash": values.excluded.key_hash}
        ).returning(AlertGroupKey)
        found = {row.key_hash: row for row in session.scalars(upsert, execution_options={"populate_existing": True})}
        return found[key_hash], found[service_hash] if service_hash else None
    insert_ignoring_duplicates(session, AlertGroupKey, rows)  # SQLite: BEGIN IMMEDIATE already serialises

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


def _firing_in(session: Session, group_id: int) -> bool:
    query = select(Alert.id).where(Alert.group_id == group_id, Alert.status == AlertStatus.FIRING.value).limit(1)
    return session.scalar(query) is not None
