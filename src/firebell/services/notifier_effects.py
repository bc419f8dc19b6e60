"""The outbox effects that tell outside notifiers (webhook, ntfy, PagerDuty) about a page event.

Seam: no outside notifier is configured yet, so a page event makes no effects here; the Slack DM is built in
(services/paging.py enqueues it).
"""

from datetime import datetime
from typing import Any

from firebell.domain.paging import PageNotice
from firebell.domain.policy import Policy


def notifier_effects(policy: Policy, notice: PageNotice, *, now: datetime) -> list[dict[str, Any]]:
    """The effect rows (services/effects.effect_row) for every notifier that wants this page event."""
    del policy, notice, now
    return []
