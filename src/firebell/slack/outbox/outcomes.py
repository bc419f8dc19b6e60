"""What happened when the gateway tried to deliver an effect, and how Slack errors are classified."""

import http.client
import socket
import urllib.error
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError

from firebell.domain.incident import IncidentSnapshot


@dataclass(frozen=True)
class Job:
    """A claimed outbox row, detached from the session."""

    id: int
    kind: str
    lane: str
    incident_id: int | None
    payload: dict[str, Any]
    idem_key: str
    attempts: int
    uncertain: bool
    created_at: datetime
    incident: IncidentSnapshot | None = None  # the incident as it was when the effect was claimed


@dataclass(frozen=True)
class Delivered:
    """Done; `incident` holds columns to store on the incident (channel_id, kickoff_ts, ...)."""

    incident: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Retry:
    """Try again after `after` seconds; `uncertain` when Slack may have acted on the failed attempt."""

    error: str
    after: float | None = None
    uncertain: bool = False
    payload: dict[str, Any] | None = None
    alarm: bool = False  # needs a person (a revoked token, a missing scope): logged as an error


@dataclass(frozen=True)
class Failed:
    """Permanently failed: Slack refused in a way a retry cannot fix."""

    error: str


Outcome = Delivered | Retry | Failed

# Slack errors that say "try again" rather than "you asked for something impossible".
TRANSIENT_ERRORS = frozenset(
    {
        "ratelimited",
        "fatal_error",
        "internal_error",
        "service_unavailable",
        "request_timeout",
        "team_added_to_org",
    }
)
# Errors a person can fix (reinstall the app, grant a scope): retried slowly and logged loudly rather
# than dropped, so the backlog is delivered once the app works again.
CONFIG_ERRORS = frozenset(
    {
        "not_authed",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "not_allowed_token_type",
        "no_permission",
        "access_denied",
        "ekm_access_denied",
        "org_login_required",
        "restricted_action",
    }
)
CONFIG_RETRY_SECONDS = 60.0
# Of the transient errors, the ones after which Slack may nevertheless have done the work.
MAYBE_DONE_ERRORS = frozenset({"fatal_error", "internal_error", "request_timeout"})


def slack_error(exc: SlackApiError) -> str:
    """The error code in a Slack API error response ("" when the body was not Slack JSON)."""
    data = exc.response.data if exc.response is not None else None
    if isinstance(data, dict):
        return str(data.get("error", ""))
    return ""


def classify(exc: Exception) -> Outcome:
    """Turn an exception from a Slack call into an outcome: retry (maybe uncertain) or permanent failure."""
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code if exc.response is not None else 0
        error = slack_error(exc)
        if status == 429 or error == "ratelimited":
            headers = exc.response.headers if exc.response is not None else {}
            retry_after = _retry_after(headers)
            return Retry(error=f"ratelimited (Retry-After {retry_after}s)", after=retry_after)
        if status >= 500:
            return Retry(error=f"HTTP {status} from Slack", uncertain=True)
        if error in TRANSIENT_ERRORS:
            return Retry(error=error, uncertain=error in MAYBE_DONE_ERRORS)
        if error in CONFIG_ERRORS:
            return Retry(
                error=f"{error}: check the app's token, scopes and workspace settings",
                after=CONFIG_RETRY_SECONDS,
                alarm=True,
            )
        return Failed(error=error or f"HTTP {status}")
    if isinstance(exc, urllib.error.URLError | http.client.HTTPException | socket.timeout | OSError):
        # The request may have reached Slack before the connection failed: check before redoing.
        return Retry(error=f"connection: {type(exc).__name__}", uncertain=True)
    raise exc


def backoff_delay(attempts: int, *, cap: float, jitter: float) -> float:
    """Exponential backoff: 0.5 s, 1 s, 2 s, ... up to `cap`, scaled by `jitter` (about 0.8-1.2)."""
    return float(min(cap, 0.5 * 2.0 ** max(attempts - 1, 0)) * jitter)


def _retry_after(headers: Any) -> float:
    value: Any = None
    if hasattr(headers, "get"):
        value = headers.get("Retry-After") or headers.get("retry-after")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return max(float(value), 0.0)
    except (TypeError, ValueError):
        return 1.0
