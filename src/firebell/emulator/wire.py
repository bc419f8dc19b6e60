"""Raw ASGI plumbing: reading requests, decoding form/multipart/JSON bodies, answering, dropping sockets."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from email import policy
from email.message import Message as MimeMessage
from email.parser import BytesParser
from typing import Any, Literal
from urllib.parse import parse_qsl

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

BodyKind = Literal["none", "form", "multipart", "json", "raw"]


@dataclass
class HttpRequest:
    """One HTTP request as received."""

    method: str
    path: str
    headers: dict[str, str]
    query: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        """The media type, lowercased, without parameters."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


@dataclass
class DecodedBody:
    """Arguments decoded from a body; ``error`` is the Slack error code if it could not be decoded."""

    kind: BodyKind
    values: dict[str, Any] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    error: str | None = None


async def read_request(scope: Scope, receive: Receive) -> HttpRequest:
    """Read the whole request body."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    query = dict(parse_qsl(scope.get("query_string", b"").decode("utf-8", "replace"), keep_blank_values=True))
    return HttpRequest(
        method=str(scope.get("method", "GET")),
        path=str(scope.get("path", "/")),
        headers=headers,
        query=query,
        body=b"".join(chunks),
    )


def _multipart(req: HttpRequest) -> DecodedBody:
    header = f"Content-Type: {req.headers.get('content-type', '')}\r\n\r\n".encode("latin-1")
    parsed: MimeMessage = BytesParser(policy=policy.HTTP).parsebytes(header + req.body)
    if not parsed.is_multipart():
        return DecodedBody("multipart", error="invalid_form_data")
    decoded = DecodedBody("multipart")
    for part in parsed.get_payload():
        if not isinstance(part, MimeMessage):
            continue
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if part.get_filename() is not None:
            decoded.files[name] = data
        else:
            decoded.values[name] = data.decode("utf-8", "replace")
    return decoded


def _json(body: bytes) -> DecodedBody:
    try:
        value = json.loads(body)
    except ValueError:
        return DecodedBody("json", error="invalid_json")
    if not isinstance(value, dict):
        return DecodedBody("json", error="json_not_object")
    return DecodedBody("json", values=value)


def _form(body: bytes) -> DecodedBody:
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        return DecodedBody("form", error="invalid_form_data")
    return DecodedBody("form", values=dict(pairs))


def decode_body(req: HttpRequest) -> DecodedBody:
    """Decode a request body the way Slack's API front end does."""
    kind = req.content_type
    if not req.body.strip():
        return DecodedBody("none")
    if kind == "application/json":
        return _json(req.body)
    if kind in ("application/x-www-form-urlencoded", "text/plain"):
        return _form(req.body)
    if kind == "multipart/form-data":
        return _multipart(req)
    return DecodedBody("raw", error="invalid_post_type" if kind else "missing_post_type")


async def send_bytes(
    send: Send, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
) -> None:
    """Send a complete response."""
    raw_headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


async def send_json(send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    """Send a JSON response."""
    await send_bytes(send, status, json.dumps(body).encode(), "application/json; charset=utf-8", headers)


async def send_text(send: Send, status: int, text: str) -> None:
    """Send a plain-text response."""
    await send_bytes(send, status, text.encode(), "text/plain; charset=utf-8")


async def drop_connection(send: Send) -> bool:
    """Close the TCP connection without answering (uvicorn's send is bound to its request cycle)."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not hasattr(transport, "close"):
        return False
    transport.close()
    for _ in range(3):  # let connection_lost run so uvicorn marks the cycle disconnected
        await asyncio.sleep(0)
    return True
