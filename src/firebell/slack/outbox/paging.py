"""Delivering the page DM to each person paged (paging's war-room notices go through the ordinary notice
delivery)."""

import logging
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError

from firebell.domain.incident import IncidentSnapshot
from firebell.services.outbox.outcomes import Delivered, Job, Outcome
from firebell.services.paging.delivery import mark_sent, mark_unreachable, page_dm, settled_dm
from firebell.slack.blocks.paging import page_dm_message
from firebell.slack.outbox.outcomes import slack_error

if TYPE_CHECKING:
    from firebell.slack.outbox.delivery import Deliverer

log = logging.getLogger(__name__)

# Slack's answers to conversations.open or chat.postMessage that mean this person cannot get a DM from the bot
# (deactivated, a bot, not visible to the app, the app's messages tab turned off...): waiting cannot fix them,
# so the page moves on at once. Token problems (invalid_auth, account_inactive, not_allowed_token_type) are not
# here: they are the app's, not the person's, and are retried until someone fixes the app.
UNREACHABLE = frozenset(
    {
        "user_not_found",
        "user_disabled",
        "user_not_visible",
        "cannot_dm_bot",
        "not_enough_users",  # the bot's own id: it cannot open a DM with itself
        "invalid_user_combination",
        "channel_not_found",
        "is_archived",
        "messages_tab_disabled",
    }
)


def post_page_dm(deliverer: "Deliverer", job: Job, incident: IncidentSnapshot | None) -> Outcome:
    """One person's page DM: rendered from the page as it is now (nothing when the page is over)."""
    payload = job.payload
    page_id, user = int(payload["page_id"]), str(payload["user"])
    round_, step = int(payload.get("round", 0)), int(payload.get("step", 0))
    ctx = deliverer.ctx
    dm = page_dm(ctx, page_id, user, round_, step)
    if dm is None:
        return Delivered()  # acknowledged, resolved or moved on meanwhile: this DM would be stale
    try:
        channel = deliverer.directory.dm_channel(user)
        ts = deliverer.post(job, channel, page_dm_message(dm))
    except SlackApiError as exc:
        error = slack_error(exc)
        if error not in UNREACHABLE:
            raise
        log.warning("page %s: %s cannot be reached in Slack (%s)", page_id, user, error)
        mark_unreachable(ctx, page_id, user, round_, step, error=error)
        return Delivered()
    mark_sent(ctx, page_id, user, round_, step, channel=channel, ts=ts)
    return Delivered()


def settle_page_dm(deliverer: "Deliverer", job: Job, incident: IncidentSnapshot | None) -> Outcome:
    """Edit a page DM sent earlier once its page is over: who acknowledged it (or that the incident is resolved),
    and no buttons left to press."""
    settled = settled_dm(deliverer.ctx, int(job.payload["notification_id"]))
    if settled is None:
        return Delivered()  # escalating again (its buttons stay), or never sent
    dm, channel, ts = settled
    try:
        deliverer.client.chat_update(channel=channel, ts=ts, **page_dm_message(dm).as_args())
    except SlackApiError as exc:
        if slack_error(exc) in UNREACHABLE | {"message_not_found", "cant_update_message"}:
            return Delivered()  # the DM is gone, or the person is: nothing left to tidy
        raise
    return Delivered()
