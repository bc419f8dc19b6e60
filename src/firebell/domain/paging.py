"""Paging vocabulary: what a page is aimed at, where it stands, and what notifiers are told. Pure.

A page aims at a service (its escalation policy, looked up afresh at every step, so a changed policy re-targets
open pages), an escalation policy, a schedule or one person. Schedules and people paged directly get a policy of
one step that repeats (DIRECT_STEP_WAIT, DIRECT_REPEAT), so nobody paged by hand is forgotten after one DM.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from firebell.domain.oncall.escalation import Step

DIRECT_STEP_WAIT = timedelta(minutes=5)
DIRECT_REPEAT = 2


class PageStatus(StrEnum):
    """Where a page stands. Only ACTIVE pages are claimed by the scheduler."""

    ACTIVE = "active"  # escalating: due steps are notified when they come
    ACKNOWLEDGED = "acknowledged"  # someone took it; nothing more is sent unless someone escalates by hand
    EXHAUSTED = "exhausted"  # every round ran out unanswered; the announcement channel was told
    CANCELLED = "cancelled"  # the incident was resolved (or the page withdrawn): nothing pending is sent


class TargetKind(StrEnum):
    """What a page is aimed at."""

    SERVICE = "service"
    POLICY = "policy"
    SCHEDULE = "schedule"
    USER = "user"


@dataclass(frozen=True)
class PageTarget:
    """`service:checkout`, `policy:checkout`, `schedule:checkout-primary` or `user:U04ERIN`."""

    kind: TargetKind
    name: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.name}"

    @classmethod
    def parse(cls, text: str) -> "PageTarget":
        """Parse the stored form; ValueError naming the kinds when it is not one."""
        kind, _, name = text.partition(":")
        try:
            return cls(TargetKind(kind), name)
        except ValueError:
            valid = ", ".join(f"{k.value}:<name>" for k in TargetKind)
            raise ValueError(f"expected a page target like {valid}, got {text!r}") from None


def direct_steps(target: PageTarget) -> tuple[Step, ...]:
    """The one-step policy of a page aimed straight at a schedule or a person."""
    return (Step((str(target),), DIRECT_STEP_WAIT),)


class NotifyEvent(StrEnum):
    """What a notifier is told about a page."""

    NOTIFY = "notify"  # a person is paged (one event per person per step reached)
    ACKNOWLEDGE = "acknowledge"  # someone acknowledged the page
    RESOLVE = "resolve"  # the incident was resolved: the page is over


@dataclass(frozen=True)
class PageNotice:
    """Everything a notifier (webhook, ntfy, PagerDuty) needs, with no Slack markup in it.

    `incident_key` is stable for the incident (PagerDuty's dedup_key). `user` is set for NOTIFY (who is paged) and
    ACKNOWLEDGE (who acknowledged). `room_url` links to the war room when it exists yet.
    """

    event: NotifyEvent
    page_id: int
    incident_id: int
    incident_number: int
    incident_key: str
    title: str
    severity: str
    service: str | None
    target: str
    reason: str | None
    paged_by: str | None
    user: str | None
    round: int
    step: int
    at: datetime
    room_url: str | None = None


def incident_key(incident_id: int) -> str:
    """The stable key of an incident outside Slack (PagerDuty's dedup_key, webhook consumers' grouping)."""
    return f"firebell-incident-{incident_id}"
