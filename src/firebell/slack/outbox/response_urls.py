"""Answering a person through the response_url Slack gave with their command (ephemeral, theirs only):
at once after a command, or as a queued effect (the declarer's answers)."""

import logging
from datetime import datetime, timedelta

from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.webhook import WebhookClient

from firebell.domain.incident import IncidentSnapshot
from firebell.services.outbox.outcomes import Delivered, Failed, Job, Outcome, Retry
from firebell.slack.blocks.incident import Message
from firebell.slack.blocks.replies import declared_reply, war_room_failed_reply, war_room_ready_reply

log = logging.getLogger(__name__)

# A response_url answers a person who is waiting: retry what Slack refused for now (429 with Retry-After,
# 5xx) for about half a minute, so an answer outlives a short Slack outage; never a dropped connection,
# which may have landed and would show the answer twice.
_RETRIES = [
    RateLimitErrorRetryHandler(max_retry_count=3),
    ServerErrorRetryHandler(max_retry_count=6, interval_calculator=BackoffRetryIntervalCalculator(backoff_factor=0.5)),
]


def reply(response_url: str | None, message: Message, *, timeout: int = 10) -> bool:
    """Post `message` as an ephemeral reply; False (logged, never raised) when Slack did not take it."""
    if not response_url:
        log.warning("no response_url to answer with; the reply was dropped: %s", message.text[:80])
        return False
    client = WebhookClient(response_url, timeout=timeout, retry_handlers=_RETRIES)
    try:
        response = client.send(text=message.text, blocks=message.blocks, response_type="ephemeral")
    except OSError as exc:
        log.warning("could not answer through the response_url: %s", exc)
        return False
    if response.status_code != 200:
        log.warning(
            "Slack refused the answer through the response_url: HTTP %s %s", response.status_code, response.body
        )
        return False
    return True


# Slack accepts posts to a response_url for 30 minutes.
RESPONSE_URL_LIFETIME = timedelta(minutes=30)


def respond(job: Job, incident: IncidentSnapshot, *, now: datetime) -> Outcome:
    """Deliver a queued answer to the declarer: declared, war room ready, or war room refused."""
    if now - job.created_at > RESPONSE_URL_LIFETIME:
        log.info("effect %s: response_url expired before it could be answered; skipped", job.id)
        return Delivered()
    if job.payload.get("message") == "declared":
        message = declared_reply(incident)
    elif job.payload.get("message") == "war_room_failed":
        message = war_room_failed_reply(
            incident, str(job.payload.get("error", "")), retrying=bool(job.payload.get("retrying"))
        )
    else:
        message = war_room_ready_reply(incident)
    webhook = WebhookClient(url=str(job.payload["response_url"]), timeout=10)
    response = webhook.send(text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=False)
    if response.status_code in (404, 410):
        log.info("effect %s: response_url no longer usable (%s); skipped", job.id, response.body)
        return Delivered()
    if response.status_code == 429 or response.status_code >= 500:
        return Retry(error=f"response_url HTTP {response.status_code}", uncertain=response.status_code >= 500)
    if response.status_code != 200:
        return Failed(error=f"response_url HTTP {response.status_code}: {response.body[:100]}")
    return Delivered()
