"""Fault injection as slack_sdk experiences it: 429 + Retry-After, 5xx, dropped connections, outages."""

from __future__ import annotations

import http.client
import time
import urllib.error

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from firebell.emulator import EmulatorServer, SlackEmulator

from .conftest import TOKEN

CONNECTION_ERRORS = (urllib.error.URLError, http.client.RemoteDisconnected, ConnectionResetError, ConnectionError)


def test_ratelimited_is_429_with_retry_after(client: WebClient, emu: SlackEmulator) -> None:
    emu.faults.add("chat.postMessage", kind="ratelimited", times=1, retry_after=7)
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="general", text="x")
    assert exc.value.response.status_code == 429
    assert exc.value.response.headers["Retry-After"] == "7"
    assert exc.value.response["error"] == "ratelimited"
    [call] = emu.calls_to("chat.postMessage")
    assert (call.status, call.fault) == (429, "ratelimited")
    assert emu.messages("general") == []


def test_rate_limit_retry_handler_honours_retry_after(server: EmulatorServer, emu: SlackEmulator) -> None:
    emu.faults.add("chat.postMessage", kind="ratelimited", times=1, retry_after=1)
    client = WebClient(
        token=TOKEN, base_url=server.api_url, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)]
    )
    started = time.monotonic()
    client.chat_postMessage(channel="general", text="eventually")
    assert time.monotonic() - started >= 1.0
    assert [c.status for c in emu.calls_to("chat.postMessage")] == [429, 200]
    assert [m.text for m in emu.messages("general")] == ["eventually"]


def test_server_errors_and_the_server_error_handler(server: EmulatorServer, emu: SlackEmulator) -> None:
    emu.faults.add("*", kind="server_error", times=2)
    emu.faults.add("auth.test", kind="server_error", times=1, status=500)
    bare = WebClient(token=TOKEN, base_url=server.api_url, retry_handlers=[])
    with pytest.raises(SlackApiError) as exc:
        bare.auth_test()
    assert exc.value.response.status_code == 503
    fast = FixedValueRetryIntervalCalculator(fixed_internal=0.01)
    retrying = WebClient(
        token=TOKEN, base_url=server.api_url, retry_handlers=[ServerErrorRetryHandler(3, interval_calculator=fast)]
    )
    retrying.conversations_create(name="after-errors")
    with pytest.raises(SlackApiError) as exc:
        bare.auth_test()
    assert exc.value.response.status_code == 500
    assert [(c.method, c.status) for c in emu.calls] == [
        ("auth.test", 503),
        ("conversations.create", 503),
        ("conversations.create", 200),
        ("auth.test", 500),
    ]
    assert emu.channel_by_name("after-errors") is not None


def test_error_kind_answers_ok_false_without_effect(client: WebClient, emu: SlackEmulator) -> None:
    ts = client.chat_postMessage(channel="general", text="pin me")["ts"]
    emu.faults.add("pins.add", kind="error", error="fatal_error", times=1)
    with pytest.raises(SlackApiError) as exc:
        client.pins_add(channel=emu.channel("general").id, timestamp=ts)
    assert exc.value.response.status_code == 200 and exc.value.response["error"] == "fatal_error"
    assert not emu.message("general", ts).pinned
    client.pins_add(channel=emu.channel("general").id, timestamp=ts)
    assert emu.message("general", ts).pinned


def test_disconnect_is_a_connection_error_and_does_nothing(client: WebClient, emu: SlackEmulator) -> None:
    fault = emu.faults.add("conversations.create", kind="disconnect", times=1)
    with pytest.raises(CONNECTION_ERRORS):
        client.conversations_create(name="never-created")
    assert fault.hits == 1 and emu.faults.pending == []
    assert emu.channel_by_name("never-created") is None
    [call] = emu.calls_to("conversations.create")
    assert (call.status, call.fault) == (0, "disconnect")
    client.conversations_create(name="never-created")  # the server is still healthy afterwards


def test_default_client_retries_one_disconnect(server: EmulatorServer, emu: SlackEmulator) -> None:
    emu.faults.add("conversations.setTopic", kind="disconnect", times=1)
    client = WebClient(token=TOKEN, base_url=server.api_url)  # default: ConnectionErrorRetryHandler(1)
    assert any(isinstance(h, ConnectionErrorRetryHandler) for h in client.retry_handlers)
    client.conversations_setTopic(channel=emu.channel("general").id, topic="retried")
    assert emu.channel("general").topic.value == "retried"
    assert [c.status for c in emu.calls_to("conversations.setTopic")] == [0, 200]


def test_disconnect_after_performs_the_call_but_loses_the_answer(client: WebClient, emu: SlackEmulator) -> None:
    emu.faults.add("conversations.create", kind="disconnect_after", times=1)
    with pytest.raises(CONNECTION_ERRORS):
        client.conversations_create(name="inc-9-ghost")
    assert emu.channel_by_name("inc-9-ghost") is not None  # it happened
    [call] = emu.calls_to("conversations.create")
    assert call.status == 0 and call.fault == "disconnect_after" and call.response["ok"] is True
    with pytest.raises(SlackApiError) as exc:  # a blind retry now collides with the ghost
        client.conversations_create(name="inc-9-ghost")
    assert exc.value.response["error"] == "name_taken"


def test_outage_and_latency(client: WebClient, emu: SlackEmulator) -> None:
    emu.outage = True
    with pytest.raises(SlackApiError) as exc:
        client.auth_test()
    assert exc.value.response.status_code == 503
    emu.outage = False
    emu.latency = 0.2
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.2
    assert [c.status for c in emu.calls] == [503, 200]


def test_optional_tier_rate_limits(client: WebClient, emu: SlackEmulator) -> None:
    emu.enforce_rate_limits = True
    emu.rate_limiter.per_minute["t2"] = 3
    for i in range(3):
        client.conversations_create(name=f"rl-{i}")
    with pytest.raises(SlackApiError) as exc:
        client.conversations_create(name="rl-3")
    assert exc.value.response.status_code == 429
    assert int(exc.value.response.headers["Retry-After"]) >= 1
    emu.rate_limiter.post_message_burst = 2
    client.chat_postMessage(channel="general", text="1")
    client.chat_postMessage(channel="general", text="2")
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="general", text="3")
    assert exc.value.response.status_code == 429
    with pytest.raises(SlackApiError):  # the bucket is per channel, however the channel is named
        client.chat_postMessage(channel=emu.channel("general").id, text="3 again")
    client.chat_postMessage(channel=emu.user_id("bob"), text="another channel has its own bucket")


def test_fault_plan_validation(emu: SlackEmulator) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        emu.faults.add("chat.postMessage", kind="explode")  # type: ignore[arg-type]
    fault = emu.faults.add("*", kind="server_error", times=None)
    assert fault.matches("chat.update") and not fault.matches("response_url")
    emu.faults.clear()
    assert emu.faults.pending == []


def test_rate_tiers_apply_slacks_documented_limits(shared_server: EmulatorServer) -> None:
    tiered = SlackEmulator(bot_token="xoxb-test-token", rate_tiers=True)
    shared_server.attach(tiered)
    client = WebClient(token="xoxb-test-token", base_url=shared_server.api_url, retry_handlers=[])
    for i in range(20):  # Tier 2: 20 a minute
        client.conversations_create(name=f"tier-{i}")
    with pytest.raises(SlackApiError) as exc:
        client.conversations_create(name="tier-20")
    assert exc.value.response.status_code == 429
    assert 1 <= int(exc.value.response.headers["Retry-After"]) <= 60
    # Another method has limits of its own: posting still works while channel creation is refused.
    client.chat_postMessage(channel="general", text="still posting")
    assert not SlackEmulator().enforce_rate_limits  # off unless asked for
