"""The outbox effects that tell outside notifiers (webhook, ntfy, PagerDuty) about a page event.

The Slack DM is built in (services/paging/pages.py enqueues it); this adds one NOTIFY effect per configured notifier
that wants the event. Each notifier's effects for one incident share a lane, so trigger, acknowledge and
resolve reach it in order; a notifier that is down holds up only its own lane, never Slack's.
"""

import hashlib
from datetime import datetime
from typing import Any

from firebell.domain.oncall.notifiers import NotifierConfig, NotifierKind
from firebell.domain.paging import NotifyEvent, PageNotice
from firebell.domain.policy import Policy
from firebell.notifiers.outgoing import notice_id, notice_payload
from firebell.services.effects import EffectKind, effect_row

_MAX_KEY = 160  # effects.idem_key


def notifier_effects(policy: Policy, notice: PageNotice, *, now: datetime) -> list[dict[str, Any]]:
    """The effect rows (services/effects.effect_row) for every notifier that wants this page event."""
    return [
        effect_row(
            kind=EffectKind.NOTIFY,
            lane=f"notify:{notifier.name}:{notice.incident_key}",
            key=idempotency_key(notifier, notice),
            now=now,
            incident_id=notice.incident_id,
            payload={"notifier": notifier.name, "page_notice": notice_payload(notice)},
        )
        for notifier in policy.paging.notifiers
        if wants(notifier, notice)
    ]


def wants(notifier: NotifierConfig, notice: PageNotice) -> bool:
    """Whether this notifier is told about this event (ntfy with `users`: only those people's pages)."""
    if notice.event not in notifier.wanted_events:
        return False
    if notifier.kind is NotifierKind.NTFY and notifier.users:
        return notice.event is NotifyEvent.NOTIFY and notice.user in notifier.users
    return True


def idempotency_key(notifier: NotifierConfig, notice: PageNotice) -> str:
    """Unique per (notifier, event, page, user, round, step). PagerDuty is triggered once per page, not once
    per person and step: every notification of a page has the one trigger key, so only the first is queued."""
    if notifier.kind is NotifierKind.PAGERDUTY and notice.event is NotifyEvent.NOTIFY:
        key = f"notify:{notifier.name}:trigger:{notice.page_id}"
    else:
        key = f"notify:{notifier.name}:{notice_id(notice)}"
    if len(key) > _MAX_KEY:
        key = f"notify:{notifier.name}:{hashlib.sha256(key.encode()).hexdigest()}"
    return key
