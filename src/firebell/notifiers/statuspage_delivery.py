"""Delivering STATUSPAGE effects to Atlassian Statuspage, for the outbox gateway, as notifiers are delivered.

The first effect of a public incident or maintenance creates Statuspage's incident and its id is stored at once
(statuspage_links); later ones update that incident. A retry of a create whose answer never came looks for the
incident marked as ours first, so a lost answer or a redelivery never makes a second one. 2xx: delivered; 429,
408, 5xx and network failures: retried (Retry-After honoured); 401, 403, 422 and the rest: failed for good, logged
with Statuspage's reason. The API key is read from the environment at delivery and never logged.
"""

import logging
import os
import time
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import delete, select

from firebell.domain.status_page.statuspage_io import StatuspageIoConfig
from firebell.notifiers import statuspage_io
from firebell.notifiers.delivery import TIMEOUT, retry_after
from firebell.notifiers.outgoing import Outgoing
from firebell.notifiers.tls import tls_context
from firebell.services.context import Context
from firebell.services.outbox.outcomes import Delivered, Failed, Job, Outcome, Retry
from firebell.store.inserts import insert_ignoring_duplicates
from firebell.store.statuspage_models import StatuspageLink

log = logging.getLogger(__name__)
_RETRY_STATUSES = frozenset({408, 425, 429})
WHAT = "Statuspage"


def api_key_of(config: StatuspageIoConfig) -> str | None:
    """The API key from the environment (None: unset)."""
    return os.environ.get(config.api_key_env, "").strip() or None


def deliver_statuspage(ctx: Context, job: Job, *, wall: Callable[[], float] = time.time) -> Outcome:
    """Create or update Statuspage's incident for one effect; every failure becomes a Retry or a Failed."""
    config = ctx.policy.status_page.statuspage_io
    if config is None:
        return Failed(error="status_page.statuspage_io is no longer in the policy")
    key = api_key_of(config)
    if key is None:  # a restart with the variable set delivers it: keep it queued, and say so loudly
        return Retry(error=f"{WHAT}: environment variable {config.api_key_env} is not set", after=60, alarm=True)
    payload = job.payload
    remote_id = _remote_id(ctx, payload)
    if remote_id is None:
        return _create(ctx, config, job, key, wall)
    answer = _call(statuspage_io.update(config, payload, key, remote_id), key, wall)
    if isinstance(answer, Failed) and answer.error.startswith(f"{WHAT}: HTTP 404"):
        _forget(ctx, payload)  # deleted on Statuspage by hand: the next attempt makes it again
        return Retry(error=answer.error, after=1)
    return answer if not isinstance(answer, httpx.Response) else Delivered()


def _create(ctx: Context, config: StatuspageIoConfig, job: Job, key: str, wall: Callable[[], float]) -> Outcome:
    """Make Statuspage's incident, unless an earlier attempt made it and only its answer was lost."""
    payload = job.payload
    if payload["kind"] == "maintenance" and payload.get("event", "scheduled") != "scheduled":
        return Delivered()  # never made on Statuspage (its create failed for good): nothing to call off
    if job.attempts > 1 or job.uncertain:
        found = _find_ours(config, payload, key, wall)
        if not isinstance(found, str | None):
            return found
        if found is not None:  # the create went through: it carried this effect's content
            log.info("effect %s: found the Statuspage incident an earlier attempt made", job.id)
            _remember(ctx, payload, found)
            return Delivered()
    answer = _call(statuspage_io.create(config, payload, key), key, wall)
    if not isinstance(answer, httpx.Response):
        return answer
    document = _json(answer)
    made = document.get("id") if isinstance(document, dict) else None
    if not made:
        return Failed(error=f"{WHAT}: HTTP {answer.status_code} without an incident id")
    _remember(ctx, payload, str(made))
    return Delivered()


def _find_ours(
    config: StatuspageIoConfig, payload: dict[str, Any], key: str, wall: Callable[[], float]
) -> str | Outcome | None:
    url = statuspage_io.incidents_url(config) + "?per_page=100&page=1"
    answer = _call(Outgoing("GET", url, statuspage_io.headers(key)), key, wall)
    if not isinstance(answer, httpx.Response):
        return answer
    return statuspage_io.find_ours(_json(answer), payload)


def _call(request: Outgoing, key: str, wall: Callable[[], float]) -> httpx.Response | Outcome:
    """Make the request: the 2xx response, or what to do about a failure."""
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
        return Retry(error=f"{WHAT}: {type(exc).__name__} (no answer)", uncertain=request.method == "POST")
    status = response.status_code
    if 200 <= status < 300:
        return response
    error = f"{WHAT}: HTTP {status} on {request.method}{_reason(response, key)}"
    if status in _RETRY_STATUSES or status >= 500:
        return Retry(
            error=error, after=retry_after(response.headers.get("Retry-After"), wall()), uncertain=status >= 500
        )
    return Failed(error=error)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _reason(response: httpx.Response, key: str) -> str:
    """Statuspage's short reason (`error`, `message`), without the key."""
    data = _json(response)
    if isinstance(data, dict):
        parts = [str(data[k]) for k in ("error", "message") if data.get(k)]
        text = "; ".join(parts)
    else:
        text = response.text
    text = " ".join(text.split())[:200].replace(key, "***")
    return f": {text}" if text else ""


def _remote_id(ctx: Context, payload: dict[str, Any]) -> str | None:
    with ctx.db.read() as session:
        return session.scalar(
            select(StatuspageLink.remote_id).where(
                StatuspageLink.kind == payload["kind"], StatuspageLink.public_id == payload["public_id"]
            )
        )


def _remember(ctx: Context, payload: dict[str, Any], remote_id: str) -> None:
    """Store Statuspage's id at once, before the effect's outcome: a redelivery then updates, never creates."""
    now = ctx.clock()
    with ctx.db.transaction(background=True) as session:
        insert_ignoring_duplicates(
            session,
            StatuspageLink,
            [
                {
                    "kind": payload["kind"],
                    "public_id": payload["public_id"],
                    "remote_id": remote_id,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )


def _forget(ctx: Context, payload: dict[str, Any]) -> None:
    with ctx.db.transaction(background=True) as session:
        session.execute(
            delete(StatuspageLink).where(
                StatuspageLink.kind == payload["kind"], StatuspageLink.public_id == payload["public_id"]
            )
        )
