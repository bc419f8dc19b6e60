"""What reaches /slack/events from outside is refused with a 4xx, never a 500 or a traceback: oversize
bodies (413, before they are read whole), unsigned or stale junk (401), signed junk (400)."""

import logging
import time
from collections.abc import Iterator

import httpx
import pytest

from firebell.emulator.driver import sign
from tests.harness import Firebell

FORM = "application/x-www-form-urlencoded"


def _post(firebell: Firebell, body: bytes | Iterator[bytes], headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{firebell.url}/slack/events", content=body, headers=headers, timeout=30)


def _signed_headers(firebell: Firebell, body: bytes, content_type: str) -> dict[str, str]:
    ts = int(time.time())
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sign(firebell.emu.signing_secret, ts, body),
    }


def _no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


JUNK = [
    pytest.param(b"[1, 2]", "application/json", id="json-array"),
    pytest.param(b"{not json", "application/json", id="invalid-json"),
    pytest.param(b"\xff\xfe\xfd", FORM, id="invalid-utf8"),
    pytest.param(b"payload=%5B1%5D", FORM, id="payload-array"),
    pytest.param(b"payload=%7Bnope", FORM, id="payload-invalid-json"),
]


@pytest.mark.parametrize(("body", "content_type"), JUNK)
def test_unsigned_junk_is_401(
    firebell: Firebell, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
) -> None:
    response = _post(firebell, body, {"Content-Type": content_type})
    assert response.status_code == 401
    _no_traceback(caplog)


@pytest.mark.parametrize(("body", "content_type"), JUNK)
def test_signed_junk_is_400_saying_what_is_wrong(
    firebell: Firebell, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
) -> None:
    response = _post(firebell, body, _signed_headers(firebell, body, content_type))
    assert response.status_code == 400
    assert " not " in response.text  # e.g. "the body is not UTF-8"
    _no_traceback(caplog)
    assert firebell.api("/api/v1/incidents").json() == []


@pytest.mark.parametrize("timestamp", ["abc", "1e9", "-5", "1.5", "9" * 40])
def test_a_timestamp_that_is_not_a_unix_time_is_401(
    firebell: Firebell, caplog: pytest.LogCaptureFixture, timestamp: str
) -> None:
    body = b"command=%2Fincident&text=declare+sev1+x"
    headers = {"Content-Type": FORM, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=00"}
    response = _post(firebell, body, headers)
    assert response.status_code == 401
    _no_traceback(caplog)


def test_an_oversize_body_is_refused_by_its_content_length(firebell: Firebell) -> None:
    body = b"text=" + b"x" * (2 * 1024 * 1024)
    response = _post(firebell, body, _signed_headers(firebell, body, FORM))
    assert response.status_code == 413
    assert firebell.api("/api/v1/incidents").json() == []


def test_an_oversize_chunked_body_is_refused_as_it_streams(firebell: Firebell) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(3):
            yield b"x" * (1024 * 1024)

    response = _post(firebell, chunks(), {"Content-Type": FORM})
    assert response.status_code == 413


def test_a_signed_request_of_ordinary_size_still_works(firebell: Firebell) -> None:
    result = firebell.driver.slash_command("/incident", "declare sev2 Guarded", user="alice", channel="general")
    assert result.response.status_code == 200
    firebell.war_room(1)
