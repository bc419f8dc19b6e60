"""Moving an incident through its lifecycle: mitigate, resolve, reopen."""

from sqlalchemy import func, select

from firebell.domain.action_items import ItemStatus
from firebell.domain.errors import UsageError
from firebell.domain.free_text import check_free_text
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.lifecycle import OPERATION_OF, Action, Operation, Status, transition
from firebell.domain.naming import incident_label
from firebell.domain.policy import Policy
from firebell.domain.timeline import EventKind
from firebell.services.cadence import reschedule
from firebell.services.changes import Change, incident_change
from firebell.services.context import Context
from firebell.services.effects import Target
from firebell.services.incidents import snapshot
from firebell.services.paging.pages import cancel_pages
from firebell.services.postmortem import request_postmortem
from firebell.services.status_page.public_views import offer_public_resolve
from firebell.store.models import ActionItem


def apply_action(change: Change, policy: Policy, *, actor: str, action: Action, text: str | None = None) -> None:
    """Apply a lifecycle action within a change; an illegal one raises IllegalTransition."""
    if text is not None:
        check_free_text(text, "text")
    incident, now = change.incident, change.now
    change.guard(OPERATION_OF[action], actor=actor)
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
    reschedule(incident, policy)
    summary = f"Status changed from {old.value} to {new.value}"
    change.record(
        kind=EventKind.STATUS_CHANGED,
        actor=actor,
        text=f"{summary}: {text}" if text else summary,
        data={"from": old.value, "to": new.value, "action": action.value, "note": text},
        notice="status_changed",
        notice_data={"from": old.value, "to": new.value, "actor": actor, "text": text},
        targets=(Target.ROOM, Target.ANNOUNCEMENT_THREAD),
        sync=True,
    )
    if new is Status.RESOLVED:
        cancel_pages(change.session, policy, incident, now=now)
        # After the resolve notice; an outbox effect, so resolving succeeds whatever happens to the draft.
        request_postmortem(change, reason="resolved")
        offer_public_resolve(change)  # the status page still says it is going on: ask for a resolved update


class OpenActionItems(UsageError):
    """Closing would leave action items open; the person should confirm."""

    def __init__(self, number: int, count: int) -> None:
        super().__init__(
            f"{incident_label(number)} has {count} open action item{'s' if count != 1 else ''}. "
            "Close the review anyway? They stay open and keep being followed up."
        )
        self.number, self.count = number, count


def close_review(ctx: Context, *, channel_id: str, actor: str, confirmed: bool = False) -> IncidentSnapshot:
    """The review is done: close the incident (asking first when action items are still open)."""
    with incident_change(ctx, channel_id=channel_id) as change:
        change.guard(Operation.CLOSE, actor=actor)  # before asking about open items: they may not close at all
        open_items = change.session.scalar(
            select(func.count(ActionItem.id)).where(
                ActionItem.incident_id == change.incident.id, ActionItem.status == ItemStatus.OPEN.value
            )
        )
        if open_items and not confirmed and Status(change.incident.status) is Status.RESOLVED:
            raise OpenActionItems(change.incident.number, int(open_items))
        apply_action(change, ctx.policy, actor=actor, action=Action.CLOSE)
        return snapshot(change.incident)


def change_status(
    ctx: Context, *, channel_id: str, actor: str, action: Action, text: str | None = None
) -> IncidentSnapshot:
    """Apply a lifecycle action; an illegal one raises IllegalTransition and changes nothing."""
    with incident_change(ctx, channel_id=channel_id) as change:
        apply_action(change, ctx.policy, actor=actor, action=action, text=text)
        return snapshot(change.incident)
