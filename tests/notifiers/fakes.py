"""Fakes of the outside notifiers over real HTTP, checking each request the way the real service does.

- `WebhookReceiver`: what a customer's receiver should do: verify X-Firebell-Signature (HMAC-SHA256 over
  "<timestamp>.<body>") and refuse a timestamp more than five minutes off.
- `FakeNtfy`: ntfy's publish endpoint: PUT/POST to a topic (1-64 of [-_A-Za-z0-9]), its header aliases, priority
  values (1-5, min/low/default/high/max/urgent, else 400 code 40007), RFC 2047 encoded titles, bearer tokens
  (401 code 40101), and messages over 4096 bytes (which ntfy turns into attachments).
- `FakePagerDuty`: the Events API v2 enqueue endpoint: validates the body (routing_key, event_action,
  dedup_key, payload.summary/source/severity), answers 202, or 400 with PagerDuty's error shape, or 429.

Each can be told to answer the next requests with given statuses first (`script`), as an outage would.
"""

import hashlib
import hmac
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from firebell.emulator.server import AsgiServerThread

WEBHOOK_TOLERANCE = 300
NTFY_TOPIC = re.compile(r"^[-_A-Za-z0-9]{1,64}$")
NTFY_PRIORITIES = {"1": 1, "min": 1, "2": 2, "low": 2, "3": 3, "default": 3, "4": 4, "high": 4}
NTFY_PRIORITIES |= {"5": 5, "max": 5, "urgent": 5}
NTFY_MAX_MESSAGE = 4096
PD_ACTIONS = ("trigger", "acknowledge", "resolve")
PD_SEVERITIES = ("critical", "error", "warning", "info")


@dataclass
class Scripted:
    """Answers queued by the test (status, Retry-After) come first; then the fake answers as the real one."""

    script: list[tuple[int, str | None]] = field(default_factory=list)
    requests: int = 0  # every request that reached the fake, scripted or not

    def scripted(self, *, applies: bool = True) -> Response | None:
        self.requests += 1
        if not self.script or not applies:
            return None
        status, retry_after = self.script.pop(0)
        headers = {"Retry-After": retry_after} if retry_after else {}
        return JSONResponse({"error": "scripted failure"}, status_code=status, headers=headers)


@dataclass
class WebhookReceiver(Scripted):
    """A receiver that verifies Firebell's signature; `events` are the verified bodies, in arrival order."""

    secret: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[str] = field(default_factory=list)  # X-Firebell-Delivery of each accepted event
    refused: list[str] = field(default_factory=list)

    def app(self) -> Starlette:
        async def receive(request: Request) -> Response:
            body = await request.body()
            stamp = request.headers.get("x-firebell-timestamp", "")
            given = request.headers.get("x-firebell-signature", "")
            expected = "v1=" + hmac.new(self.secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
            if not stamp.isdigit() or abs(time.time() - int(stamp)) > WEBHOOK_TOLERANCE:
                self.refused.append("stale or missing timestamp")
                return JSONResponse({"error": "stale timestamp"}, status_code=400)
            if not hmac.compare_digest(given, expected):
                self.refused.append("bad signature")
                return JSONResponse({"error": "bad signature"}, status_code=401)
            if not request.headers.get("content-type", "").startswith("application/json"):
                return JSONResponse({"error": "expected JSON"}, status_code=415)
            if (answer := self.scripted()) is not None:
                return answer
            self.events.append(json.loads(body))
            self.deliveries.append(request.headers.get("x-firebell-delivery", ""))
            return Response(status_code=204)

        return Starlette(routes=[Route("/hooks/firebell", receive, methods=["POST"])])


@dataclass
class NtfyMessage:
    """A published message as ntfy stores it."""

    topic: str
    title: str
    message: str
    priority: int
    tags: list[str]
    click: str | None
    authorization: str | None


def _ntfy_error(code: int, status: int, error: str) -> JSONResponse:
    return JSONResponse({"code": code, "http": status, "error": error}, status_code=status)


def _header(request: Request, *names: str) -> str:
    for name in names:
        if value := request.headers.get(name, "").strip():
            return value
    return ""


@dataclass
class FakeNtfy(Scripted):
    """ntfy's publish endpoint; with `token`, topics need `Authorization: Bearer <token>`."""

    token: str | None = None
    messages: list[NtfyMessage] = field(default_factory=list)
    script_topic: str | None = None  # the scripted answers are for this topic only (None: any)

    def app(self) -> Starlette:
        async def publish(request: Request) -> Response:
            topic = request.path_params["topic"]
            if not NTFY_TOPIC.match(topic):
                return _ntfy_error(40009, 400, "invalid topic")
            authorization = request.headers.get("authorization")
            if self.token is not None and authorization != f"Bearer {self.token}":
                return _ntfy_error(40101, 401, "unauthorized")
            raw = _header(request, "x-priority", "priority", "prio", "p")
            if raw and raw.lower() not in NTFY_PRIORITIES:
                return _ntfy_error(40007, 400, "invalid priority")
            body = await request.body()
            if len(body) > NTFY_MAX_MESSAGE:
                return _ntfy_error(41301, 413, "message became an attachment: too large for a push")
            if (answer := self.scripted(applies=self.script_topic in (None, topic))) is not None:
                return answer
            title = str(make_header(decode_header(_header(request, "x-title", "title", "ti", "t"))))
            tags = [t.strip() for t in _header(request, "x-tags", "tags", "tag", "ta").split(",") if t.strip()]
            message = NtfyMessage(
                topic=topic,
                title=title,
                message=body.decode(),
                priority=NTFY_PRIORITIES.get(raw.lower(), 3),
                tags=tags,
                click=_header(request, "x-click", "click") or None,
                authorization=authorization,
            )
            self.messages.append(message)
            return JSONResponse({"id": str(len(self.messages)), "event": "message", "topic": topic})

        return Starlette(routes=[Route("/{topic}", publish, methods=["POST", "PUT"])])


@dataclass
class FakePagerDuty(Scripted):
    """The Events API v2; `events` are the accepted bodies, in arrival order."""

    routing_key: str = "0123456789abcdef0123456789abcdef"
    events: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> Starlette:
        async def enqueue(request: Request) -> Response:
            try:
                event = json.loads(await request.body())
            except ValueError:
                return self._invalid("Event object is invalid", "body is not JSON")
            if errors := self._errors(event):
                return self._invalid("Event object is invalid", *errors)
            if (answer := self.scripted()) is not None:
                return answer
            self.events.append(event)
            return JSONResponse(
                {"status": "success", "message": "Event processed", "dedup_key": event.get("dedup_key")},
                status_code=202,
            )

        return Starlette(routes=[Route("/v2/enqueue", enqueue, methods=["POST"])])

    def _errors(self, event: Any) -> list[str]:
        if not isinstance(event, dict):
            return ["event must be an object"]
        errors = []
        if event.get("routing_key") != self.routing_key:
            errors.append("'routing_key' is invalid")
        action = event.get("event_action")
        if action not in PD_ACTIONS:
            errors.append("'event_action' must be one of trigger, acknowledge, resolve")
        dedup = event.get("dedup_key")
        if action != "trigger" and not dedup:
            errors.append("'dedup_key' is required for acknowledge and resolve")
        if dedup is not None and (not isinstance(dedup, str) or len(dedup) > 255):
            errors.append("'dedup_key' must be a string of at most 255 characters")
        if action == "trigger":
            found = event.get("payload")
            payload: dict[str, Any] = found if isinstance(found, dict) else {}
            summary = payload.get("summary")
            if not isinstance(summary, str) or not summary or len(summary) > 1024:
                errors.append("'payload.summary' is missing, blank or longer than 1024 characters")
            if not payload.get("source"):
                errors.append("'payload.source' is missing or blank")
            if payload.get("severity") not in PD_SEVERITIES:
                errors.append("'payload.severity' must be one of critical, error, warning, info")
        return errors

    @staticmethod
    def _invalid(message: str, *errors: str) -> JSONResponse:
        return JSONResponse({"status": "invalid event", "message": message, "errors": list(errors)}, status_code=400)


@contextmanager
def serving(app: Starlette) -> Iterator[str]:
    """Serve a fake on a loopback port; yields its base URL."""
    server = AsgiServerThread(app).start()
    try:
        yield server.url
    finally:
        server.stop()
