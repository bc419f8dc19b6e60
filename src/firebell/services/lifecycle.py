"""Moving an incident through its lifecycle: mitigate, resolve, reopen."""

from firebell.domain.incident import IncidentSnapshot
from firebell.domain.lifecycle import Action, Status, transition
from firebell.domain.naming import incident_label
from firebell.domain.timeline import EventKind
from firebell.services.cadence import reschedule
from firebell.services.changes import incident_change
from firebell.services.context import Context
from firebell.services.effects import Target, enqueue_notice, enqueue_sync
from firebell.services.incidents import snapshot
from firebell.services.timeline import record_event


def change_status(
    ctx: Context, *, channel_id: str, actor: str, action: Action, text: str | None = None
) -> IncidentSnapshot:
    """Apply a lifecycle action; an illegal one raises IllegalTransition and changes nothing."""
    with incident_change(ctx, channel_id=channel_id) as change:
        incident, now = change.incident, change.now
        old = Status(incident.status)
        new = transition(old, action, label=incident_label(incident.number))
        incident.status = new.value
        if new is Status.MITIGATED:
            incident.mitigated_at = now
        elif new is Status.RESOLVED:
            incident.resolved_at = now
            # Resolving straight from investigating means the impact ended now too.
            incident.mitigated_at = incident.mitigated_at or now
        elif new is Status.INVESTIGATING:
            incident.mitigated_at = None
            incident.resolved_at = None
            if old is Status.RESOLVED:  # the reopen is announced: the cadence starts again from now
                incident.last_update_at = now
                incident.missed_updates = 0
        elif new is Status.CLOSED:
            incident.closed_at = now
        if not new.is_open:
            incident.missed_updates = 0
        reschedule(incident, ctx.policy)
        summary = f"Status changed from {old.value} to {new.value}"
        event = record_event(
            change.session,
            incident,
            kind=EventKind.STATUS_CHANGED,
            at=now,
            actor=actor,
            text=f"{summary}: {text}" if text else summary,
            data={"from": old.value, "to": new.value, "action": action.value, "note": text},
        )
        assert event is not None
        enqueue_notice(
            change.session,
            incident,
            event,
            notice="status_changed",
            now=now,
            targets=(Target.ROOM, Target.ANNOUNCEMENT_THREAD),
            data={"from": old.value, "to": new.value, "actor": actor, "text": text},
        )
        enqueue_sync(change.session, incident, now=now)
        return snapshot(incident)
