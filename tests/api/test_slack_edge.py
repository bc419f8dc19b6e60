"""The /slack/events guard's pieces: the streaming size limit stops reading once past the limit."""

import asyncio
from typing import Any

from starlette.requests import Request

from firebell.api.slack_edge import Refusal, check_shape, read_limited_body


def _streaming_request(chunks: list[bytes], headers: list[tuple[bytes, bytes]]) -> tuple[Request, list[int]]:
    sent: list[int] = []

    async def receive() -> dict[str, Any]:
        index = len(sent)
        sent.append(index)
        return {"type": "http.request", "body": chunks[index], "more_body": index + 1 < len(chunks)}

    scope = {"type": "http", "method": "POST", "path": "/slack/events", "headers": headers, "query_string": b""}
    return Request(scope, receive), sent


def test_a_chunked_body_is_abandoned_once_past_the_limit() -> None:
    request, sent = _streaming_request([b"x" * 100] * 50, [])
    result = asyncio.run(read_limited_body(request, limit=250))
    assert isinstance(result, Refusal)
    assert result.status == 413
    assert len(sent) == 3  # not all 50 chunks


def test_a_declared_content_length_over_the_limit_is_refused_unread() -> None:
    request, sent = _streaming_request([b"x" * 10], [(b"content-length", b"999999999")])
    result = asyncio.run(read_limited_body(request, limit=250))
    assert isinstance(result, Refusal)
    assert result.status == 413
    assert sent == []


def test_a_body_within_the_limit_is_returned_and_kept_for_bolt() -> None:
    request, _ = _streaming_request([b"a=1", b"&b=2"], [])
    assert asyncio.run(read_limited_body(request, limit=250)) == b"a=1&b=2"
    assert asyncio.run(request.body()) == b"a=1&b=2"


def test_shapes_slack_sends_pass() -> None:
    form = "application/x-www-form-urlencoded"
    assert check_shape(b"command=%2Fincident&text=x", form) is None
    assert check_shape(b"payload=%7B%22type%22%3A%22block_actions%22%7D", form) is None
    assert check_shape(b'{"type": "event_callback"}', "application/json") is None
