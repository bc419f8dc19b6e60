"""Answering a person through the response_url Slack gave with their command (ephemeral, theirs only)."""

import logging

from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.webhook import WebhookClient

from firebell.slack.blocks.incident import Message

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
