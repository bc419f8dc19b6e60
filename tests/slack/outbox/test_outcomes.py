"""How Slack failures are classified, and how retries back off."""

import http.client
import urllib.error
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from firebell.services.outbox.outcomes import Failed, Retry, backoff_delay
from firebell.slack.outbox.outcomes import classify


def api_error(status: int, data: Any, headers: dict[str, Any] | None = None) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.test/api/conversations.create",
        req_args={},
        data=data,
        headers=headers or {},
        status_code=status,
    )
    return SlackApiError("failed", response)  # type: ignore[no-untyped-call]


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [backoff_delay(n, cap=30, jitter=1.0) for n in range(1, 9)] == [0.5, 1, 2, 4, 8, 16, 30, 30]
    assert backoff_delay(3, cap=30, jitter=0.8) == pytest.approx(1.6)


def test_rate_limit_uses_retry_after() -> None:
    outcome = classify(api_error(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": ["7"]}))
    assert outcome == Retry(error="ratelimited (Retry-After 7.0s)", after=7.0, rate_limited="conversations.create")


def test_server_errors_and_dropped_connections_are_uncertain() -> None:
    assert classify(api_error(503, "upstream down")) == Retry(error="HTTP 503 from Slack", uncertain=True)
    dropped = classify(urllib.error.URLError(ConnectionResetError()))
    assert isinstance(dropped, Retry)
    assert dropped.uncertain


def test_a_truncated_response_is_uncertain() -> None:
    outcome = classify(http.client.IncompleteRead(b'{"ok": tr'))
    assert isinstance(outcome, Retry)
    assert outcome.uncertain


def test_configuration_errors_retry_slowly_and_raise_the_alarm() -> None:
    outcome = classify(api_error(200, {"ok": False, "error": "missing_scope"}))
    assert isinstance(outcome, Retry)
    assert (outcome.after, outcome.alarm, outcome.uncertain) == (60.0, True, False)


def test_transient_slack_errors_retry() -> None:
    assert classify(api_error(200, {"ok": False, "error": "fatal_error"})) == Retry(error="fatal_error", uncertain=True)
    assert classify(api_error(200, {"ok": False, "error": "service_unavailable"})) == Retry(error="service_unavailable")


def test_refusals_are_permanent() -> None:
    assert classify(api_error(200, {"ok": False, "error": "invalid_blocks"})) == Failed(error="invalid_blocks")


def test_bugs_are_not_swallowed() -> None:
    with pytest.raises(KeyError):
        classify(KeyError("x"))
