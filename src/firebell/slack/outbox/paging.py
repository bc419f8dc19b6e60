"""Delivering what paging asks of Slack: the page DM to each person paged, and the announcement channel's alarm
when a page went unanswered (war-room notices go through the ordinary notice delivery)."""

from typing import TYPE_CHECKING

from firebell.domain.incident import IncidentSnapshot
from firebell.services.outbox.outcomes import Delivered, Job, Outcome, Retry
from firebell.slack.blocks.page_notices import page_unanswered

if TYPE_CHECKING:
    from firebell.slack.outbox.delivery import Deliverer


def announce_notice(deliverer: "Deliverer", job: Job, incident: IncidentSnapshot | None) -> Outcome:
    """A notice for the announcement channel itself, not a thread (today: a page nobody answered)."""
    assert incident is not None
    posted = deliverer.announce(job, page_unanswered(job.payload, incident.channel_id))
    return posted if isinstance(posted, Retry) else Delivered()
