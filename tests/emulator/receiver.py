"""A tiny app that receives what the driver sends, verifies Slack's signature and records it."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class Received:
    """One delivery as the app saw it."""

    headers: dict[str, str]
    body: bytes
    verified: bool

    def form(self) -> dict[str, str]:
        """The form fields (slash commands)."""
        return {k: v[0] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}

    def payload(self) -> dict[str, Any]:
        """The interaction payload (form field ``payload``)."""
        decoded: dict[str, Any] = json.loads(self.form()["payload"])
        return decoded

    def json(self) -> dict[str, Any]:
        """A JSON body (events)."""
        decoded: dict[str, Any] = json.loads(self.body)
        return decoded


@dataclass
class Receiver:
    """Verifies with slack_sdk's SignatureVerifier; answers with ``reply`` after ``delay`` seconds."""

    signing_secret: str
    received: list[Received] = field(default_factory=list)
    reply: dict[str, Any] | None = None
    delay: float = 0.0

    def app(self) -> Starlette:
        """The Starlette app serving ``POST /slack/events``."""
        verifier = SignatureVerifier(self.signing_secret)

        async def events(request: Request) -> Response:
            body = await request.body()
            headers = {k.lower(): v for k, v in request.headers.items()}
            ok = verifier.is_valid_request(body, headers)
            self.received.append(Received(headers, body, ok))
            if not ok:
                return JSONResponse({"error": "invalid request"}, status_code=401)
            if self.delay:
                time.sleep(self.delay)
            if self.reply is not None:
                return JSONResponse(self.reply)
            if headers.get("content-type", "").startswith("application/json"):
                data = json.loads(body)
                if data.get("type") == "url_verification":
                    return JSONResponse({"challenge": data["challenge"]})
            return Response(status_code=200)

        return Starlette(routes=[Route("/slack/events", events, methods=["POST"])])
