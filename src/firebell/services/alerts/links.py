"""Linking an alert group to an incident: declared from it, or attached to it.

The one place that makes a group's alerts an incident's, so that a declare from an alert (at once, by the
source's rule, or by a person pressing Declare in triage) and an attach from triage leave the same record:
the group points at the incident, the triage decision is kept with who and when, the incident's
`detected_at` moves back to the earliest `startsAt` of the group's alerts, and the timeline says so.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from firebell.domain.naming import incident_label
from firebell.domain.timeline import EventKind
from firebell.services.alerts.triage_sync import sync_if_triaged
from firebell.services.timeline import record_event
from firebell.store.models import Alert, AlertGroup, Incident


class Decision(StrEnum):
    """What was decided about an alert group (kept on the group, counted in reports)."""

    DECLARED = "declared"
    ATTACHED = "attached"
    DECLINED = "declined"
    ACKNOWLEDGED = "acknowledged"


class LinkError(Exception):
    """The group cannot be linked as asked (already linked to another incident)."""


def link_group(
    session: Session,
    group: AlertGroup,
    incident: Incident,
    *,
    decision: Decision,
    by: str | None,
    now: datetime,
) -> bool:
    """Link `group` to `incident` (decision: declared or attached); False if it already was linked to it.

    Call with the group's row locked (or inside the ingest that holds its key lock). `by` is None when the
    source's declare rule decided, not a person.
    """
    if decision not in (Decision.DECLARED, Decision.ATTACHED):
        raise ValueError(f"a link is declared or attached, not {decision}")
    if group.incident_id == incident.id:
        return False
    if group.incident_id is not None:
        raise LinkError(f"alert group {group.id} is already linked to another incident")
    group.incident_id = incident.id
    group.decision, group.decision_reason = decision.value, None
    group.decided_by, group.decided_at = by, now
    earliest = session.scalar(select(func.min(Alert.starts_at)).where(Alert.group_id == group.id))
    if earliest is not None and (incident.detected_at is None or earliest < incident.detected_at):
        incident.detected_at = earliest
    firing = session.scalar(select(func.count(Alert.id)).where(Alert.group_id == group.id, Alert.status == "firing"))
    how = "Declared from" if decision is Decision.DECLARED else "Attached"
    record_event(
        session,
        incident,
        kind=EventKind.ALERTS_LINKED,
        at=now,
        actor=by,
        text=f"{how} alert group {group.id} ({group.source}): {firing or 0} firing, to {incident_label(incident.number)}",
        data={"group_id": group.id, "source": group.source, "decision": decision.value},
        source_key=f"alerts_linked:{group.id}:{incident.id}",
    )
    sync_if_triaged(session, group, now=now)  # its triage message, if it has one, shows the link
    return True
