"""Raising and lowering an incident's severity."""

from firebell.domain.errors import UsageError
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.lifecycle import Operation
from firebell.domain.naming import incident_label
from firebell.domain.policy import Policy
from firebell.domain.timeline import EventKind
from firebell.services.cadence import reschedule
from firebell.services.changes import Change, incident_change
from firebell.services.context import Context
from firebell.services.effects import Target
from firebell.services.incidents import snapshot
from firebell.services.status_page.public_cadence import follow_severity


def apply_severity(change: Change, policy: Policy, *, actor: str, severity: str) -> None:
    """Set a new severity within a change: recorded, announced, and the cadence recomputed."""
    incident = change.incident
    change.guard(Operation.SEVERITY, actor=actor)
    new = policy.severity(severity).name
    old = incident.severity
    if old == new:
        raise UsageError(f"{incident_label(incident.number)} is already {new}.")
    incident.severity = new
    reschedule(incident, policy)  # raising the severity can make an update due at once
    follow_severity(change.session, policy, incident)  # and the status page's, by its public cadence
    direction = "raised" if policy.rank(new) < policy.rank(old) else "lowered"
    change.record(
        kind=EventKind.SEVERITY_CHANGED,
        actor=actor,
        text=f"Severity {direction} from {old} to {new}",
        data={"from": old, "to": new},
        notice="severity_changed",
        notice_data={"from": old, "to": new, "actor": actor, "direction": direction},
        targets=(Target.ROOM, Target.ANNOUNCEMENT_THREAD),
        sync=True,
    )


def change_severity(ctx: Context, *, channel_id: str, actor: str, severity: str) -> IncidentSnapshot:
    """Set a new severity; announced in the war room, the topic and the announcement."""
    with incident_change(ctx, channel_id=channel_id) as change:
        apply_severity(change, ctx.policy, actor=actor, severity=severity)
        return snapshot(change.incident)
