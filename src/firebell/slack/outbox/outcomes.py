"""How a Slack failure becomes an outcome: retry (maybe uncertain, maybe rate-limited) or fail for good."""

import http.client
import socket
import urllib.error
from typing import Any

from slack_sdk.errors import SlackApiError

from firebell.services.outbox.outcomes import Failed, Outcome, Retry

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
            return Retry(
                error=f"ratelimited (Retry-After {retry_after}s)",
                after=retry_after,
                rate_limited=_method(exc) or None,
                channel=_channel(exc),
            )
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


def _method(exc: SlackApiError) -> str:
    """The Web API method a failed call was to ("chat.postMessage"), from the URL it was sent to."""
    url = str(getattr(exc.response, "api_url", "") or "")
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def _channel(exc: SlackApiError) -> str | None:
    """The channel a failed call was about, if it named one."""
    args: Any = getattr(exc.response, "req_args", None) or {}
    for part in ("json", "data", "params"):
        values = args.get(part) if isinstance(args, dict) else None
        if isinstance(values, dict) and values.get("channel"):
            return str(values["channel"])
    return None


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
