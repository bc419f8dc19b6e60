"""Page notices and notifier configs for the notifier tests."""

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from firebell.domain.oncall.notifiers import NotifierConfig
from firebell.domain.paging import NotifyEvent, PageNotice, incident_key

ALICE, BOB = "U01ALICE", "U02BOB"
AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
ROUTING_KEY = "0123456789abcdef0123456789abcdef"


def notice(event: NotifyEvent = NotifyEvent.NOTIFY, **changes: Any) -> PageNotice:
    """A page event of INC-42 (incident id 7, page 3)."""
    base = PageNotice(
        event=event,
        page_id=3,
        incident_id=7,
        incident_number=42,
        incident_key=incident_key(7),
        title="Checkout is down",
        severity="SEV1",
        service="checkout",
        target="service:checkout",
        reason="5xx above 20%",
        paged_by=None,
        user=ALICE,
        round=0,
        step=0,
        at=AT,
        room_url="https://example.slack.com/archives/C0ROOM",
    )
    return replace(base, **changes)


def webhook(url: str = "https://hooks.example.com/firebell", **extra: Any) -> NotifierConfig:
    return NotifierConfig.model_validate(
        {"name": "hook", "kind": "webhook", "url": url, "secret_env": "HOOK_SECRET"} | extra
    )


def ntfy(url: str = "https://ntfy.example.com/oncall-alice", **extra: Any) -> NotifierConfig:
    return NotifierConfig.model_validate({"name": "phone", "kind": "ntfy", "url": url} | extra)


def pagerduty(url: str | None = None, **extra: Any) -> NotifierConfig:
    fields: dict[str, Any] = {"name": "pd", "kind": "pagerduty", "routing_key_env": "PD_ROUTING_KEY"}
    if url:
        fields["url"] = url
    return NotifierConfig.model_validate(fields | extra)
