"""The outgoing webhook: the page event as JSON, signed with HMAC-SHA256 over "<timestamp>.<body>".

Receivers verify `X-Firebell-Signature: v1=<hex>` with the shared secret and refuse stale timestamps
(README: Notifiers). `X-Firebell-Delivery` is the same on every retry of one event: receivers dedupe on it.
"""

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from firebell.domain.oncall.notifiers import NotifierConfig
from firebell.domain.paging import PageNotice
from firebell.notifiers.outgoing import USER_AGENT, Outgoing, notice_id

TIMESTAMP_HEADER = "X-Firebell-Timestamp"
SIGNATURE_HEADER = "X-Firebell-Signature"
DELIVERY_HEADER = "X-Firebell-Delivery"


def body_of(notice: PageNotice) -> dict[str, Any]:
    """The JSON document a webhook receives."""
    return {
        "id": notice_id(notice),
        "event": notice.event.value,
        "incident": {
            "number": notice.incident_number,
            "key": notice.incident_key,
            "title": notice.title,
            "severity": notice.severity,
            "service": notice.service,
        },
        "page_id": notice.page_id,
        "target": notice.target,
        "user": notice.user,
        "round": notice.round,
        "step": notice.step,
        "at": notice.at.isoformat(),
        "room_url": notice.room_url,
        "reason": notice.reason,
        "paged_by": notice.paged_by,
    }


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`v1=` and the hex HMAC-SHA256 of "<timestamp>.<body>" under the secret."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def build(config: NotifierConfig, notice: PageNotice, secret: str | None, now: datetime) -> Outgoing:
    """A signed POST of the notice to the configured URL."""
    assert config.url is not None and secret is not None  # the policy and the delivery make sure
    body = json.dumps(body_of(notice), ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        DELIVERY_HEADER: notice_id(notice),
    }
    return Outgoing("POST", config.url, headers, body)
