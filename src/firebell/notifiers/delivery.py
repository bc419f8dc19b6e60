"""Sending a queued notifier effect (EffectKind.NOTIFY) and saying what came of it, for the outbox gateway.

2xx: delivered. 429, 408, 5xx and network failures: retried (Retry-After honoured). Any other answer: failed
for good, logged with the status and the far side's short reason, never the URL (an ntfy topic URL is itself
a secret) nor the secret. Secrets are read from the environment here, at delivery: never stored in a payload.
"""

import logging
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from firebell.domain.incident import IncidentSnapshot
from firebell.domain.oncall.notifiers import NotifierConfig, NotifierKind, with_all_severities
from firebell.domain.paging import NotifyEvent, PageStatus
from firebell.notifiers import ntfy, pagerduty, webhook
from firebell.notifiers.outgoing import Builder, Outgoing, notice_from_payload
from firebell.notifiers.tls import tls_context
from firebell.services.context import Context
from firebell.services.outbox.outcomes import Delivered, Failed, Job, Outcome, Retry
from firebell.store.paging_models import Page

log = logging.getLogger(__name__)
# httpx logs every request's URL at INFO (httpcore its steps at DEBUG): an ntfy topic URL is itself a secret, and
# a webhook URL may carry one. Secrets never reach the logs, whatever level a deployment runs at.
for _chatty in ("httpx", "httpcore"):
    logging.getLogger(_chatty).setLevel(logging.WARNING)

BUILDERS: dict[NotifierKind, Builder] = {
    NotifierKind.WEBHOOK: webhook.build,
    NotifierKind.NTFY: ntfy.build,
    NotifierKind.PAGERDUTY: pagerduty.build,
}
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_RETRY_AFTER = 3600.0
_RETRY_STATUSES = frozenset({408, 425, 429})


def secret_of(config: NotifierConfig) -> str | None:
    """The notifier's secret from the environment (None: unset, or the notifier needs none)."""
    name = config.secret_name
    value = os.environ.get(name, "").strip() if name else ""
    return value or None


def deliver_notice(
    ctx: Context, job: Job, incident: IncidentSnapshot | None, *, wall: Callable[[], float] = time.time
) -> Outcome:
    """Send one notifier effect; every failure becomes a Retry or a Failed, never an exception."""
    name = str(job.payload.get("notifier"))
    config = next((n for n in ctx.policy.paging.notifiers if n.name == name), None)
    if config is None:
        return Failed(error=f"notifier {name!r} is no longer in the policy (paging.notifiers)")
    notice = notice_from_payload(job.payload["page_notice"])
    if notice.event is NotifyEvent.NOTIFY and _page_over(ctx, notice.page_id, incident):
        log.info("effect %s: page %s is over; %s is not told", job.id, notice.page_id, name)
        return Delivered()
    secret = secret_of(config)
    if secret is None and config.secret_name is not None:
        # A restart with the variable set delivers it: keep it queued, and say so loudly.
        return Retry(
            error=f"notifier {name!r}: environment variable {config.secret_name} is not set", after=60, alarm=True
        )
    if config.kind is NotifierKind.PAGERDUTY:
        config = with_all_severities(config, ctx.policy.severity_names)
    request = BUILDERS[config.kind](config, notice, secret, datetime.fromtimestamp(wall(), UTC))
    return send(request, what=f"{config.kind} notifier {name!r}", secret=secret, wall=wall)


def _page_over(ctx: Context, page_id: int, incident: IncidentSnapshot | None) -> bool:
    """Whether nobody should be woken for this page any more: its incident is resolved, or it was cancelled."""
    if incident is not None and not incident.status.is_open:
        return True
    with ctx.db.read() as session:
        page = session.get(Page, page_id)
        return page is not None and page.status == PageStatus.CANCELLED


def send(request: Outgoing, *, what: str, secret: str | None, wall: Callable[[], float] = time.time) -> Outcome:
    """Make the request and classify the answer."""
    try:
        response = httpx.request(
            request.method,
            request.url,
            headers=request.headers,
            content=request.body,
            timeout=TIMEOUT,
            verify=tls_context(),
        )
    except httpx.HTTPError as exc:
        return Retry(error=f"{what}: {type(exc).__name__} (no answer)")
    status = response.status_code
    if 200 <= status < 300:
        return Delivered()
    error = f"{what}: HTTP {status}{_reason(response, secret)}"
    if status in _RETRY_STATUSES or status >= 500:
        return Retry(error=error, after=retry_after(response.headers.get("Retry-After"), wall()))
    if 300 <= status < 400:
        error += " (redirects are not followed: configure the final URL)"
    return Failed(error=error)


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return min(float(text), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, min(when.timestamp() - now, MAX_RETRY_AFTER))


def _reason(response: httpx.Response, secret: str | None) -> str:
    """The far side's short reason (ntfy's `error`, PagerDuty's `message` and `errors`), without the secret."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        parts = [str(data[k]) for k in ("error", "message") if data.get(k)]
        if isinstance(data.get("errors"), list):
            parts += [str(e) for e in data["errors"][:3]]
        text = "; ".join(parts)
    else:
        text = response.text
    text = " ".join(text.split())[:200]
    if secret:
        text = text.replace(secret, "***")
    return f": {text}" if text else ""
