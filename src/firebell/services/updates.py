"""Status updates for stakeholders, and notes for the timeline only."""

from firebell.domain.cadence import is_on_time
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.timeline import EventKind
from firebell.services.cadence import reschedule
from firebell.services.changes import incident_change
from firebell.services.context import Context
from firebell.services.effects import Target, enqueue_notice
from firebell.services.incidents import snapshot
from firebell.services.timeline import record_event


def post_update(ctx: Context, *, channel_id: str, actor: str, text: str) -> IncidentSnapshot:
    """Post a status update in the war room and in the announcement's thread."""
    with incident_change(ctx, channel_id=channel_id) as change:
        incident = change.incident
        on_time = is_on_time(due=incident.next_update_due_at, misses=incident.missed_updates, now=change.now)
        event = record_event(
            change.session,
            incident,
            kind=EventKind.UPDATE,
            at=change.now,
            actor=actor,
            text=text,
            data={"severity": incident.severity, "status": incident.status, "on_time": on_time},
        )
        # An update resets the cadence: the next one is due a full interval from now.
        incident.last_update_at = change.now
        incident.missed_updates = 0
        reschedule(incident, ctx.policy)
        assert event is not None
        enqueue_notice(
            change.session,
            incident,
            event,
            notice="status_update",
            now=change.now,
            targets=(Target.ROOM, Target.ANNOUNCEMENT_THREAD),
            data={"text": text, "actor": actor},
        )
        return snapshot(incident)


def add_note(ctx: Context, *, channel_id: str, actor: str, text: str) -> IncidentSnapshot:
    """Add a note to the timeline; nothing is posted."""
    with incident_change(ctx, channel_id=channel_id) as change:
        record_event(change.session, change.incident, kind=EventKind.NOTE, at=change.now, actor=actor, text=text)
        return snapshot(change.incident)
