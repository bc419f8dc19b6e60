"""Raising and lowering an incident's severity."""

from firebell.domain.errors import UsageError
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.naming import incident_label
from firebell.domain.timeline import EventKind
from firebell.services.cadence import reschedule
from firebell.services.changes import incident_change
from firebell.services.context import Context
from firebell.services.effects import Target, enqueue_notice, enqueue_sync
from firebell.services.incidents import snapshot
from firebell.services.timeline import record_event


def change_severity(ctx: Context, *, channel_id: str, actor: str, severity: str) -> IncidentSnapshot:
    """Set a new severity; announced in the war room, the topic and the announcement."""
    new = ctx.policy.severity(severity).name
    with incident_change(ctx, channel_id=channel_id) as change:
        incident = change.incident
        old = incident.severity
        if old == new:
            raise UsageError(f"{incident_label(incident.number)} is already {new}.")
        incident.severity = new
        reschedule(incident, ctx.policy)  # raising the severity can make an update due at once
        direction = "raised" if ctx.policy.rank(new) < ctx.policy.rank(old) else "lowered"
        event = record_event(
            change.session,
            incident,
            kind=EventKind.SEVERITY_CHANGED,
            at=change.now,
            actor=actor,
            text=f"Severity {direction} from {old} to {new}",
            data={"from": old, "to": new},
        )
        assert event is not None
        enqueue_notice(
            change.session,
            incident,
            event,
            notice="severity_changed",
            now=change.now,
            targets=(Target.ROOM, Target.ANNOUNCEMENT_THREAD),
            data={"from": old, "to": new, "actor": actor, "direction": direction},
        )
        enqueue_sync(change.session, incident, now=change.now)
        return snapshot(incident)
