"""PagerDuty Events API v2: trigger on a page's first notification, acknowledge and resolve kept in step.

`dedup_key` is the incident's stable key, so retries, restarts and several pages of one incident all land on
one PagerDuty alert. Severities map as configured, else by rank (see domain/oncall/notifiers.py).
"""

import json
from datetime import datetime
from typing import Any

from firebell.domain.oncall.notifiers import NotifierConfig, PagerDutySeverity
from firebell.domain.paging import NotifyEvent, PageNotice
from firebell.notifiers.outgoing import USER_AGENT, Outgoing, clip, headline

MAX_SUMMARY = 1024  # PagerDuty's limit, in characters
MAX_DETAIL = 2000  # each free-text detail: the whole body stays far below PagerDuty's 512 KB
ACTION = {NotifyEvent.NOTIFY: "trigger", NotifyEvent.ACKNOWLEDGE: "acknowledge", NotifyEvent.RESOLVE: "resolve"}


def severity_of(config: NotifierConfig, severity: str) -> PagerDutySeverity:
    """The PagerDuty severity of a Firebell one (a level no longer in the policy: error)."""
    for name, mapped in config.severities.items():
        if name.lower() == severity.lower():
            return mapped
    return PagerDutySeverity.ERROR


def event_of(config: NotifierConfig, notice: PageNotice, routing_key: str) -> dict[str, Any]:
    """The Events API v2 document."""
    event: dict[str, Any] = {
        "routing_key": routing_key,
        "event_action": ACTION[notice.event],
        "dedup_key": notice.incident_key,
    }
    if notice.event is not NotifyEvent.NOTIFY:
        return event
    details = {
        "incident": notice.incident_number,
        "page": notice.page_id,
        "target": notice.target,
        "reason": clip(notice.reason, MAX_DETAIL) if notice.reason else None,
        "paged_by": notice.paged_by,
    }
    payload: dict[str, Any] = {
        "summary": clip(headline(notice), MAX_SUMMARY),
        "source": notice.service or "firebell",
        "severity": severity_of(config, notice.severity).value,
        "timestamp": notice.at.isoformat(),
        "custom_details": {k: v for k, v in details.items() if v is not None},
    }
    if notice.service:
        payload["component"] = notice.service
    event |= {"payload": payload, "client": "Firebell"}
    if notice.room_url:
        event["client_url"] = notice.room_url
        event["links"] = [{"href": notice.room_url, "text": f"INC-{notice.incident_number} war room in Slack"}]
    return event


def build(config: NotifierConfig, notice: PageNotice, secret: str | None, now: datetime) -> Outgoing:
    """A POST of the event to the Events API (PagerDuty answers 202 when it queued it)."""
    del now
    assert secret is not None
    body = json.dumps(event_of(config, notice, secret), ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    return Outgoing("POST", config.endpoint, headers, body)
