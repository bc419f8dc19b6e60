"""Delivering what alerts put in a war room: the kick-off's alerts and runbooks, and the coalesced notes."""

from typing import TYPE_CHECKING

from firebell.domain.incident import IncidentSnapshot
from firebell.runbooks.shelf import Shelf
from firebell.services.alerts.war_room import kickoff_alerts, pending_note
from firebell.services.context import Context
from firebell.services.outbox.outcomes import Delivered, Job, Outcome
from firebell.services.runbooks import incident_query, matches_for
from firebell.slack.blocks.alert_notes import alert_list_blocks, alert_note_message, unassigned_blocks
from firebell.slack.blocks.incident import Message, kickoff_message
from firebell.slack.blocks.runbooks import suggestion_blocks

if TYPE_CHECKING:
    from firebell.slack.outbox.delivery import Deliverer


def kickoff(ctx: Context, shelf: Shelf, incident: IncidentSnapshot) -> Message:
    """The kick-off as it stands: with its alerts listed and runbooks matched on their names too, up to three
    that match well (none otherwise), and "I'm the IC" while nobody leads it."""
    alerts = kickoff_alerts(ctx, incident.id)
    query = incident_query(incident.title, incident.description)
    if alerts is not None:
        query = " ".join([*alerts.names, query])
    matches = matches_for(shelf.library, query)
    return kickoff_message(
        incident,
        ctx.policy,
        suggestions=suggestion_blocks(matches),
        alerts=alert_list_blocks(alerts) if alerts is not None else None,
        unassigned=unassigned_blocks(incident),
    )


def post_alert_note(deliverer: "Deliverer", job: Job, incident: IncidentSnapshot | None) -> Outcome:
    """One note for every alert change since the last one (the mark moves with it); nothing when none."""
    assert incident is not None and incident.channel_id is not None
    pending = pending_note(deliverer.ctx, incident.id)
    if pending is None:
        return Delivered()
    note, through = pending
    deliverer.post(job, incident.channel_id, alert_note_message(incident, note))
    return Delivered(incident={"alerts_noted_through": through})
