"""Paging vocabulary: what a page is aimed at, where it stands, and what notifiers are told. Pure.

A page aims at a service (its escalation policy, looked up afresh at every step, so a changed policy re-targets
open pages), an escalation policy, a schedule or one person. Schedules and people paged directly get a policy of
one step that repeats (DIRECT_STEP_WAIT, DIRECT_REPEAT), so nobody paged by hand is forgotten after one DM.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from firebell.domain.oncall.escalation import Position, Step, advance, due_at, escalate_now

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
    epoch: int = 0  # a run through the escalation: the same step told again after maintenance or a re-target


def incident_key(incident_id: int) -> str:
    """The stable key of an incident outside Slack (PagerDuty's dedup_key, webhook consumers' grouping)."""
    return f"firebell-incident-{incident_id}"


@dataclass(frozen=True)
class Plan:
    """What one look at a due page does: the steps whose people are told now (after a stall, every step passed
    through, so the caller tells each person once), where the page then stands, and when to look again."""

    notify: tuple[Position, ...]
    position: Position
    due: datetime | None
    exhausted: bool


def plan(steps: tuple[Step, ...], repeat: int, position: Position, *, notified: bool, now: datetime) -> Plan:
    """The plan for a page at `position` (its people told already when `notified`) looked at `now`.

    A policy that lost steps since the page began keeps the page on its last step. A page that ran out of steps
    during a stall is not given up unseen: its last step reached is notified now, with a full wait from now.
    """
    if position.step >= len(steps):
        position = Position(position.round, len(steps) - 1, position.since)
    reached = [] if notified else [position]
    moved = advance(steps, repeat, position, now)
    reached.extend(moved.reached)
    if moved.exhausted and reached:
        last = Position(reached[-1].round, reached[-1].step, now)
        return Plan(tuple(reached), last, due_at(steps, last), exhausted=False)
    last = reached[-1] if reached else position
    return Plan(tuple(reached), last, moved.due, moved.exhausted)


def by_hand(steps: tuple[Step, ...], repeat: int, position: Position, now: datetime) -> Plan:
    """Escalated by hand or passed on ("I can't"): the next step at once, its clock starting now; after the last
    step of the last round, the page has nobody left to try."""
    if position.step >= len(steps):
        position = Position(position.round, len(steps) - 1, position.since)
    moved = escalate_now(steps, repeat, position, now)
    if moved.exhausted:
        return Plan((), position, None, exhausted=True)
    return Plan(moved.reached, moved.reached[-1], moved.due, exhausted=False)


def elapsed(delta: timedelta) -> str:
    """How long a page waited, to the second under an hour: "45s", "2m 13s", "1h 4m"."""
    seconds = max(0, int(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m {secs}s" if secs else f"{minutes}m"
    return f"{secs}s"
