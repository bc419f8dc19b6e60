"""Reading alerts and alert groups back, for the REST API (and, next, the Slack half)."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, select

from firebell.domain.errors import FirebellError
from firebell.services.context import Context
from firebell.services.incidents import get_incident
from firebell.store.models import Alert, AlertGroup, Incident


class AlertGroupNotFound(FirebellError):
    """No alert group with that id."""


@dataclass(frozen=True)
class AlertView:
    """One alert occurrence as readers see it."""

    id: int
    source: str
    fingerprint: str
    occurrence: int
    previous_id: int | None
    status: str
    name: str
    labels: dict[str, Any]
    annotations: dict[str, Any]
    starts_at: datetime
    ends_at: datetime | None
    first_seen_at: datetime
    last_seen_at: datetime
    deliveries: int
    group_id: int
    incident_number: int | None
    generator_url: str | None
    silence_url: str | None
    dashboard_url: str | None


@dataclass(frozen=True)
class AlertGroupView:
    """One alert group, what was decided about it, and (for one group) its alerts."""

    id: int
    source: str
    group_key: str
    service: str | None
    status: str
    severity: str | None
    incident_number: int | None
    decision: str | None
    decision_reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    truncated_alerts: int
    notification_reason: str | None
    external_url: str | None
    title: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    alert_count: int
    firing_count: int
    alerts: list[AlertView] = field(default_factory=list)
    decision_note: str | None = None


def _alerts_query() -> Select[Alert, int]:
    return (
        select(Alert, Incident.number)
        .join(AlertGroup, AlertGroup.id == Alert.group_id)
        .outerjoin(Incident, Incident.id == AlertGroup.incident_id)
    )


def _alert_view(alert: Alert, number: int | None) -> AlertView:
    return AlertView(
        id=alert.id,
        source=alert.source,
        fingerprint=alert.fingerprint,
        occurrence=alert.occurrence,
        previous_id=alert.previous_id,
        status=alert.status,
        name=alert.name,
        labels=alert.labels,
        annotations=alert.annotations,
        starts_at=alert.starts_at,
        ends_at=alert.ends_at,
        first_seen_at=alert.first_seen_at,
        last_seen_at=alert.last_seen_at,
        deliveries=alert.deliveries,
        group_id=alert.group_id,
        incident_number=number,
        generator_url=alert.generator_url,
        silence_url=alert.silence_url,
        dashboard_url=alert.dashboard_url,
    )


def list_alerts(
    ctx: Context, *, status: str | None = None, source: str | None = None, limit: int = 50, before_id: int | None = None
) -> list[AlertView]:
    """Alert occurrences, newest first, paginated by id (keyset): pass the last id seen as `before_id`."""
    query = _alerts_query().order_by(Alert.id.desc()).limit(limit)
    if status is not None:
        query = query.where(Alert.status == status)
    if source is not None:
        query = query.where(Alert.source == source)
    if before_id is not None:
        query = query.where(Alert.id < before_id)
    with ctx.db.read() as session:
        return [_alert_view(alert, number) for alert, number in session.execute(query).all()]


def alerts_of_incident(ctx: Context, number: int) -> list[AlertView]:
    """The alerts of every group linked to an incident, oldest first (IncidentNotFound if there is none)."""
    incident = get_incident(ctx, number)
    query = _alerts_query().where(AlertGroup.incident_id == incident.id).order_by(Alert.id)
    with ctx.db.read() as session:
        return [_alert_view(alert, found) for alert, found in session.execute(query).all()]


def _groups_query() -> Select[Any]:
    counts = (
        select(
            Alert.group_id,
            func.count().label("alert_count"),
            func.sum(case((Alert.status == "firing", 1), else_=0)).label("firing_count"),
        )
        .group_by(Alert.group_id)
        .subquery()
    )
    return (
        select(AlertGroup, Incident.number, counts.c.alert_count, counts.c.firing_count)
        .outerjoin(Incident, Incident.id == AlertGroup.incident_id)
        .outerjoin(counts, counts.c.group_id == AlertGroup.id)
    )


def _group_view(row: Any, alerts: list[AlertView] | None = None) -> AlertGroupView:
    group: AlertGroup = row[0]
    return AlertGroupView(
        id=group.id,
        source=group.source,
        group_key=group.group_key,
        service=group.service,
        status=group.status,
        severity=group.severity,
        incident_number=row[1],
        decision=group.decision,
        decision_reason=group.decision_reason,
        decided_by=group.decided_by,
        decided_at=group.decided_at,
        truncated_alerts=group.truncated_alerts,
        notification_reason=group.notification_reason,
        external_url=group.external_url,
        title=group.title,
        created_at=group.created_at,
        updated_at=group.updated_at,
        closed_at=group.closed_at,
        alert_count=int(row[2] or 0),
        firing_count=int(row[3] or 0),
        alerts=alerts or [],
        decision_note=group.decision_note,
    )


def list_alert_groups(
    ctx: Context, *, open_only: bool = False, limit: int = 50, before_id: int | None = None
) -> list[AlertGroupView]:
    """Alert groups, newest first, paginated by id; each with its alert counts (not its alerts)."""
    query = _groups_query().order_by(AlertGroup.id.desc()).limit(limit)
    if open_only:
        query = query.where(AlertGroup.status == "open")
    if before_id is not None:
        query = query.where(AlertGroup.id < before_id)
    with ctx.db.read() as session:
        return [_group_view(row) for row in session.execute(query).all()]


def get_alert_group(ctx: Context, group_id: int) -> AlertGroupView:
    """One alert group with its alerts, oldest first; AlertGroupNotFound otherwise."""
    with ctx.db.read() as session:
        row = session.execute(_groups_query().where(AlertGroup.id == group_id)).first()
        if row is None:
            raise AlertGroupNotFound(f"No alert group {group_id}.")
        query = _alerts_query().where(Alert.group_id == group_id).order_by(Alert.id)
        alerts = [_alert_view(alert, number) for alert, number in session.execute(query).all()]
    return _group_view(row, alerts)
