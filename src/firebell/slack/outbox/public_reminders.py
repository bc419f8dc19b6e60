"""Delivering the public cadence's reminders: in the war room, to the Incident Commander directly, or broadcast
in the announcement's thread; a reminder a publish (or the incident's resolve) made stale is dropped."""

from datetime import datetime
from typing import TYPE_CHECKING

from firebell.domain.incident import IncidentSnapshot
from firebell.services.outbox.outcomes import Delivered, Job, Outcome
from firebell.services.status_page.public_views import cadence_state
from firebell.slack.blocks.public_updates import public_reminder_message

if TYPE_CHECKING:
    from firebell.slack.outbox.delivery import Deliverer


def post_public_reminder(deliverer: "Deliverer", job: Job, incident: IncidentSnapshot | None) -> Outcome:
    """One public reminder, unless what it asks for has happened meanwhile."""
    assert incident is not None
    payload = job.payload
    if not incident.status.is_open:
        return Delivered()  # resolved while queued: the war room was asked for a resolved update instead
    state = cadence_state(deliverer.ctx, int(payload.get("status_incident_id", 0)))
    if state is None or state.resolved:
        return Delivered()
    due = payload.get("due_at")
    if due and state.last_published_at > datetime.fromisoformat(str(due)):
        return Delivered()  # published since it was due (Slack was down, say): nothing is owed
    miss, target = int(payload.get("miss", 0)), payload.get("target")
    if state.misses == 0 or (target == "room" and miss < state.misses):
        return Delivered()  # published since, or a later reminder is queued behind this one: say it once
    message = public_reminder_message(incident, deliverer.ctx.policy, payload)
    if target == "room":
        assert incident.channel_id is not None
        deliverer.post(job, incident.channel_id, message)
    elif target == "dm":
        if incident.commander is None:
            return Delivered()
        deliverer.post(job, deliverer.directory.dm_channel(incident.commander), message)
    elif incident.announcement_channel_id and incident.announcement_ts:
        deliverer.post(
            job, incident.announcement_channel_id, message, thread_ts=incident.announcement_ts, broadcast=True
        )
    return Delivered()
