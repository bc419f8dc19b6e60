"""Reading how an incident was detected, for the postmortem's Detection section: its linked alert groups and
alerts, and the triage decisions kept on the groups and the timeline."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from firebell.domain.detection import MAX_LISTED_ALERTS, DetectedAlert, Detection, TriageStep
from firebell.domain.timeline import EventKind, TimelineEntry
from firebell.store.models import Alert, AlertGroup

_LINKS = ("declared", "attached")


def detection_of(session: Session, incident_id: int, timeline: list[TimelineEntry]) -> Detection:
    """The incident's alerts (the first by startsAt, and how many) and triage decisions, oldest first."""
    groups = list(session.scalars(select(AlertGroup).where(AlertGroup.incident_id == incident_id)))
    ids = [group.id for group in groups]
    alerts: list[Alert] = []
    count = 0
    sources: list[str] = []
    if ids:
        in_groups = Alert.group_id.in_(ids)
        count = session.scalar(select(func.count(Alert.id)).where(in_groups)) or 0
        alerts = list(
            session.scalars(select(Alert).where(in_groups).order_by(Alert.starts_at, Alert.id).limit(MAX_LISTED_ALERTS))
        )
        sources = sorted(session.scalars(select(Alert.source).where(in_groups).distinct()))
    steps = [
        TriageStep(
            at=group.decided_at,
            by=group.decided_by,
            decision=group.decision,
            group_id=group.id,
            source=group.source,
            reason=group.decision_reason,
        )
        for group in groups
        if group.decision in _LINKS and group.decided_at is not None
    ]
    kept = {(step.group_id, step.decision) for step in steps}
    for entry in timeline:
        if entry.kind is not EventKind.TRIAGE:
            continue
        data = entry.data
        group_id = data.get("group_id")
        decision = str(data.get("decision") or "triage")
        if (group_id, decision) in kept:
            continue
        steps.append(
            TriageStep(
                at=entry.at,
                by=entry.actor,
                decision=decision,
                group_id=group_id if isinstance(group_id, int) else None,
                source=str(data["source"]) if data.get("source") else None,
                reason=str(data["reason"]) if data.get("reason") else None,
                text=entry.text,
            )
        )
    return Detection(
        alerts=tuple(
            DetectedAlert(
                source=alert.source,
                name=alert.name,
                starts_at=alert.starts_at,
                url=alert.generator_url or alert.dashboard_url,
                group_id=alert.group_id,
            )
            for alert in alerts
        ),
        alert_count=count,
        sources=tuple(sources),
        triage=tuple(sorted(steps, key=lambda step: step.at)),
    )
