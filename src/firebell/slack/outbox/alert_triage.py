"""Delivering an alert group's triage message: posted in the triage channel the first time, edited in
place afterwards, always rendered from the group as the store holds it when the effect runs (so the last
state lands however many changes were coalesced into one edit, and whatever Slack was down for)."""

import logging
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError

from firebell.domain.incident import IncidentSnapshot
from firebell.services.alerts.triage import record_triage_message, triage_message_of, triage_state
from firebell.services.outbox.outcomes import Delivered, Job, Outcome, Retry
from firebell.slack.blocks.alert_triage import triage_message
from firebell.slack.blocks.incident import Message
from firebell.slack.outbox.directory import ChannelNotFound
from firebell.slack.outbox.outcomes import slack_error

if TYPE_CHECKING:
    from firebell.slack.outbox.delivery import Deliverer

log = logging.getLogger(__name__)

# chat.update errors that mean the message is gone: post it anew rather than fail for good.
_GONE = frozenset({"message_not_found", "channel_not_found", "is_archived", "cant_update_message"})


class TriageDeliveries:
    """The SYNC_TRIAGE effect, delivered with the Deliverer's Slack client and duplicate checks."""

    def __init__(self, deliverer: "Deliverer") -> None:
        self.d = deliverer
        self.ctx = deliverer.ctx
        self.client = deliverer.client

    def sync(self, job: Job, incident: IncidentSnapshot | None) -> Outcome:
        """Post or edit the group's triage message to show its current state."""
        group_id = int(job.payload["group_id"])
        state = triage_state(self.ctx, group_id)
        if state is None:
            return Delivered()  # the group is gone (deleted by hand): nothing to show
        message = triage_message(state)
        where = triage_message_of(self.ctx, group_id)
        if where is not None:
            channel, ts = where
            try:
                self.client.chat_update(channel=channel, ts=ts, **message.as_args())
                return Delivered()
            except SlackApiError as exc:
                if slack_error(exc) not in _GONE:
                    raise
                log.warning("triage message of alert group %s is gone (%s); posting it again", group_id, exc)
                record_triage_message(self.ctx, group_id, channel=None, ts=None)
        return self._post(job, group_id, message)

    def _post(self, job: Job, group_id: int, message: Message) -> Outcome:
        name = self.ctx.policy.triage_channel
        if not name:
            return Delivered()  # triage was switched off since the effect was queued
        try:
            channel = self.d.directory.channel_id(name)
        except ChannelNotFound as exc:
            return Retry(error=f"triage channel: {exc}", after=60, alarm=True)
        try:
            ts = self.d.post(job, channel, message)
        except SlackApiError as exc:
            if slack_error(exc) in ("channel_not_found", "is_archived"):
                self.d.directory.forget(name)
                return Retry(error=f"triage channel: {slack_error(exc)}", after=60, alarm=True)
            if slack_error(exc) != "not_in_channel":
                raise
            # A public channel can be joined; a private one needs a person to invite the bot.
            self.client.conversations_join(channel=channel)
            ts = self.d.post(job, channel, message)
        record_triage_message(self.ctx, group_id, channel=channel, ts=ts)
        return Delivered()
