"""The guard in front of `/slack/events`: a size limit, the signature, and a body Bolt can parse.

Bolt parses a request's body before it checks the signature, and fails with a 500 and a traceback on a
body that is not what Slack sends (a JSON array, invalid JSON or UTF-8, `payload=[1]`, a timestamp that
is not a number). So the signature is checked here first (401), then the body's shape (400), and Bolt
sees only signed, well-formed requests (and does not check the signature again: see slack/listeners/app.py).
"""

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import Request

# Slack's requests are small (a view submission carries its view, at most 250 kB); 1 MiB leaves room.
MAX_BODY_BYTES = 1024 * 1024
# Slack refuses requests older than five minutes; so does Bolt.
MAX_AGE_SECONDS = 60 * 5


@dataclass(frozen=True)
class Refusal:
    """Why a request to /slack/events is refused, as an HTTP status and a short plain reason."""

    status: int
    reason: str


TOO_LARGE = Refusal(413, f"request body larger than {MAX_BODY_BYTES} bytes; Slack's requests are smaller")


async def read_limited_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes | Refusal:
    """The request's body, read as it streams in and abandoned as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdecimal():
            return Refusal(400, "Content-Length is not a number")
        if int(declared) > limit:
            return TOO_LARGE
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return TOO_LARGE
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # Starlette keeps the body here; Bolt's adapter reads it back
    return body


def check_signature(secret: str, body: bytes, timestamp: str | None, signature: str | None) -> Refusal | None:
    """None when the request is signed with `secret` within the last five minutes; a 401 otherwise."""
    if not timestamp or not signature:
        return Refusal(401, "missing X-Slack-Request-Timestamp or X-Slack-Signature")
    if not timestamp.isascii() or not timestamp.isdecimal() or len(timestamp) > 12:
        return Refusal(401, "X-Slack-Request-Timestamp is not a Unix time in seconds")
    if abs(time.time() - int(timestamp)) > MAX_AGE_SECONDS:
        return Refusal(401, "X-Slack-Request-Timestamp is more than five minutes away")
    # On the bytes as they came: slack_sdk's SignatureVerifier decodes them first and raises on bad UTF-8.
    base = f"v0:{timestamp}:".encode() + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return Refusal(401, "invalid signature")
    return None


def _json_object(text: str, what: str) -> Refusal | None:
    try:
        data = json.loads(text)
    except ValueError:
        return Refusal(400, f"{what} is not valid JSON")
    return None if isinstance(data, dict) else Refusal(400, f"{what} is not a JSON object")


def check_shape(body: bytes, content_type: str | None) -> Refusal | None:
    """None when `body` parses as Bolt parses it into a JSON object (or a form); a 400 otherwise."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal(400, "the body is not UTF-8")
    if not text:
        return None
    # The same decisions as slack_bolt.request.internals.parse_body, which raises on what is refused here.
    if content_type == "application/json" or text.startswith("{"):
        return _json_object(text, "the body")
    if "payload" in text:
        payload = dict(parse_qsl(text, keep_blank_values=True)).get("payload")
        if payload is not None:
            return _json_object(payload, "the form's `payload`")
    return None
