"""The alert webhook edge: who may send (bearer token, Grafana's HMAC), how much, and what the sender is told.

Alertmanager and Grafana retry only 5xx and treat 4xx as final: 2xx once the request is committed, 4xx for a
request that can never succeed, 5xx only when the store failed.
"""

import hashlib
import hmac
import os
import time
from collections.abc import Mapping

from fastapi import Request
from fastapi.responses import JSONResponse

from firebell.domain.alert_sources import AlertSource

MAX_BODY = 1024 * 1024  # 1 MiB
SIGNATURE_HEADER = "X-Grafana-Alerting-Signature"


class Refused(Exception):
    """A request the edge answers with a 4xx; `field` names the part of the body at fault, if any."""

    def __init__(self, status: int, detail: str, *, field: str | None = None, headers: Mapping[str, str] | None = None):
        super().__init__(detail)
        self.status, self.detail, self.field, self.headers = status, detail, field, dict(headers or {})

    def response(self) -> JSONResponse:
        """The JSON answer: `detail`, and `field` for a body that is wrong."""
        body: dict[str, str] = {"detail": self.detail}
        if self.field is not None:
            body["field"] = self.field
        return JSONResponse(body, status_code=self.status, headers=self.headers)


def _secret(env: str | None) -> bytes | None:
    value = os.environ.get(env, "") if env else ""
    return value.strip().encode() or None


def check_token(source: AlertSource, authorization: str | None) -> None:
    """Refuse (401) unless the source has a secret configured and the request carries the right bearer token;
    a source with only an HMAC secret is checked by `check_signature` once the body is in."""
    token = _secret(source.token_env)
    if token is None:
        if source.hmac_secret_env and _secret(source.hmac_secret_env) is not None:
            return
        raise Refused(
            401, f"The alert source {source.name!r} has no token configured, so it accepts nothing: set token_env."
        )
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Refused(401, "Send Authorization: Bearer <token>.", headers={"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(given.strip().encode(), token):
        raise Refused(401, "Invalid token for this alert source.", headers={"WWW-Authenticate": "Bearer"})


def check_signature(source: AlertSource, headers: Mapping[str, str], body: bytes, *, now: float | None = None) -> None:
    """Refuse (401) a Grafana request whose HMAC-SHA256 signature (hex, over `timestamp:body` when the source
    names a timestamp header, else over the body) is missing, wrong, or whose timestamp is stale."""
    secret = _secret(source.hmac_secret_env)
    if secret is None:
        return
    given = (headers.get(SIGNATURE_HEADER) or "").strip().lower().removeprefix("sha256=")
    if not given:
        raise Refused(401, f"Missing {SIGNATURE_HEADER}: this source verifies Grafana's HMAC signature.")
    signed = body
    if source.hmac_timestamp_header:
        stamp = (headers.get(source.hmac_timestamp_header) or "").strip()
        if not stamp.isdigit():
            raise Refused(401, f"Missing or malformed {source.hmac_timestamp_header}: expected Unix seconds.")
        seconds = int(stamp) / 1000 if len(stamp) > 11 else int(stamp)  # milliseconds, leniently
        age = abs((time.time() if now is None else now) - seconds)
        if age > source.hmac_max_age.total_seconds():
            raise Refused(401, f"Stale {source.hmac_timestamp_header}: more than {source.hmac_max_age} from now.")
        signed = stamp.encode() + b":" + body
    expected = hmac.new(secret, signed, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise Refused(401, f"Invalid {SIGNATURE_HEADER}.")


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The body, refused (413) above `limit`: by Content-Length before reading, and by counting as it streams."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Refused(413, f"The body is {int(declared)} bytes; the limit is {limit} (1 MiB). Lower max_alerts.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Refused(413, f"The body exceeds {limit} bytes (1 MiB). Lower max_alerts.")
        chunks.append(chunk)
    return b"".join(chunks)
