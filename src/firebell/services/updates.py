"""Status updates for stakeholders, and notes for the timeline only."""

from firebell.domain.cadence import is_on_time
from firebell.domain.free_text import check_free_text
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.lifecycle import Action, Operation, Status
from firebell.domain.policy import Policy
from firebell.domain.timeline import EventKind
from firebell.services.cadence import reschedule
from firebell.services.changes import Change, incident_change
from firebell.services.context import Context
from firebell.services.effects import Target
from firebell.services.incidents import snapshot
from firebell.services.lifecycle import apply_action
from firebell.services.severity import apply_severity


def apply_update(change: Change, policy: Policy, *, actor: str, text: str) -> None:
    """Record and post a status update within a change, and reset the cadence."""
    check_free_text(text, "update")
    incident = change.incident
    change.guard(Operation.UPDATE, actor=actor)
    on_time = is_on_time(due=incident.next_update_due_at, misses=incident.missed_updates, now=change.now)
    change.record(
        kind=EventKind.UPDATE,
        actor=actor,
        text=text,
        data={"severity": incident.severity, "status": incident.status, "on_time": on_time},
        notice="status_update",
        notice_data={"text": text, "actor": actor},
        targets=(Target.ROOM, Target.ANNOUNCEMENT_THREAD),
    )
    # An update resets the cadence: the next one is due a full interval from now.
    incident.last_update_at = change.now
    incident.missed_updates = 0
    reschedule(incident, policy)


def post_update(ctx: Context, *, channel_id: str, actor: str, text: str) -> IncidentSnapshot:
    """Post a status update in the war room and in the announcement's thread."""
    with incident_change(ctx, channel_id=channel_id) as change:
        apply_update(change, ctx.policy, actor=actor, text=text)
        return snapshot(change.incident)


def post_update_from_form(
    ctx: Context,
    *,
    channel_id: str,
    actor: str,
    text: str,
    severity: str | None = None,
    status: Status | None = None,
) -> IncidentSnapshot:
    """The update form: the severity and status the user changed, then the update, all or nothing.

    Callers pass only fields the user changed from what the form showed, so a form opened before someone
    else's change cannot undo it.
    """
    with incident_change(ctx, channel_id=channel_id) as change:
        incident = change.incident
        if severity is not None and severity != incident.severity:
            apply_severity(change, ctx.policy, actor=actor, severity=severity)
        if status is not None and status.value != incident.status:
            action = Action.MITIGATE if status is Status.MITIGATED else Action.REOPEN
            apply_action(change, ctx.policy, actor=actor, action=action)
        apply_update(change, ctx.policy, actor=actor, text=text)
        return snapshot(incident)


def add_note(ctx: Context, *, channel_id: str, actor: str, text: str) -> IncidentSnapshot:
    """Add a note to the timeline; nothing is posted."""
    check_free_text(text, "note")
    with incident_change(ctx, channel_id=channel_id) as change:
        change.guard(Operation.NOTE, actor=actor)
        change.record(kind=EventKind.NOTE, actor=actor, text=text)
        return snapshot(change.incident)
