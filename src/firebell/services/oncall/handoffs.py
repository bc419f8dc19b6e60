"""Handoff DMs: when who is on call for a schedule changes, whoever comes on is told the schedule, until when,
the open incidents of its services and their open action items; whoever goes off is thanked and told what is
still open.

Each DM is claimed first (a row unique on schedule, moment, person and direction), so across processes and
restarts exactly one process queues it. Only the change that began the current stretch is sent: a process
down across a handoff sends it late while that shift is on, never one about a shift already over. Changes
before the schedule was first seen (a new install, a new schedule) are not announced.
"""

import logging
import re
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from firebell.domain.action_items import ItemStatus
from firebell.domain.lifecycle import Status
from firebell.domain.oncall.shift_changes import ShiftChange, latest_change
from firebell.domain.policy import Policy
from firebell.services.context import Context
from firebell.services.effects import EffectKind, enqueue
from firebell.services.oncall.answers import on_call, shifts_between
from firebell.store.inserts import insert_skipping_duplicates
from firebell.store.models import ActionItem, HandoffSent, Incident, OncallSchedule

log = logging.getLogger(__name__)

# How far back the start of the current stretch is looked for: longer than a monthly rotation.
LOOK_BACK = timedelta(days=35)
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_OPEN = (Status.INVESTIGATING.value, Status.MITIGATED.value)
MAX_LISTED = 50  # incidents or action items carried in one DM's payload (the DM shows fewer)


def services_of(policy: Policy, schedule: str) -> list[str]:
    """The services whose escalation policy notifies `schedule` in one of its steps."""
    target = f"schedule:{schedule}"
    policies = {p.name for p in policy.escalation_policies if any(target in step.notify for step in p.steps)}
    return [s.name for s in policy.services if s.escalation_policy in policies]


def send_handoffs(ctx: Context) -> int:
    """Queue the DMs of every schedule's latest handoff not sent yet; returns how many this process claimed."""
    now = ctx.clock()
    claimed = 0
    for schedule in ctx.policy.schedules:
        try:
            claimed += _send(ctx, schedule.name, now)
        except Exception:  # one schedule's trouble must not keep the others' handoffs back
            log.exception("on-call handoff of schedule %s failed; tried again at the next look", schedule.name)
    return claimed


def _first_seen(ctx: Context, name: str, now: datetime) -> datetime:
    with ctx.db.read() as session:
        seen = session.scalar(select(OncallSchedule.created_at).where(OncallSchedule.name == name))
    return now if seen is None else seen


def _latest(ctx: Context, name: str, now: datetime, seen: datetime) -> ShiftChange | None:
    """The change that began the current stretch, looked for a day back first, further only when needed (most
    schedules change at least daily; this runs every half minute for every schedule)."""
    for back in (timedelta(days=1), timedelta(days=8), LOOK_BACK):
        start = max(seen, now - back) - timedelta(minutes=1)
        views = shifts_between(ctx, name, start, now + timedelta(seconds=1))
        change = latest_change([(v.start, v.end, v.users) for v in views], now)
        if change is not None or start <= seen - timedelta(minutes=1):
            return change
    return None


def _all_claimed(ctx: Context, name: str, change: ShiftChange) -> bool:
    with ctx.db.read() as session:
        query = select(HandoffSent.user_id, HandoffSent.direction).where(
            HandoffSent.schedule == name, HandoffSent.at == change.at
        )
        claimed = {(user, direction) for user, direction in session.execute(query)}
    sides = {(u, "in") for u in change.incoming} | {(u, "out") for u in change.outgoing}
    return {(u, d) for u, d in sides if _USER_ID.match(u)} <= claimed


def _send(ctx: Context, name: str, now: datetime) -> int:
    seen = _first_seen(ctx, name, now)
    change = _latest(ctx, name, now, seen)
    if change is None or change.at < seen or _all_claimed(ctx, name, change):
        return 0
    until = on_call(ctx, name, now).until
    services = services_of(ctx.policy, name)
    with ctx.db.transaction(background=True) as session:
        sides = [(u, "in") for u in change.incoming] + [(u, "out") for u in change.outgoing]
        won = [(u, d) for u, d in sides if _USER_ID.match(u) and _claim(session, name, change.at, u, d, now=now)]
        if not won:
            return 0
        incidents = _open_incidents(session, services)
        for user, direction in won:
            payload = {
                "message": "oncall_handoff",
                "user": user,
                "direction": direction,
                "schedule": name,
                "at": change.at.isoformat(),
                "until": until.isoformat() if until else None,
                "incoming": list(change.incoming),
                "outgoing": list(change.outgoing),
                "services": services,
                "incidents": incidents,
                "items": _open_items(session, user),
            }
            enqueue(
                session,
                kind=EffectKind.DM,
                lane=f"dm:{user}",
                key=_key(name, change, user, direction),
                now=now,
                payload=payload,
            )
    return len(won)


def _key(name: str, change: ShiftChange, user: str, direction: str) -> str:
    return f"handoff:{name}:{int(change.at.timestamp())}:{user}:{direction}"


def _claim(session: Session, name: str, at: datetime, user: str, direction: str, *, now: datetime) -> bool:
    """Insert the handoff's row unless another process did; True for the one that inserted it."""
    row = {"schedule": name, "at": at, "user_id": user, "direction": direction, "sent_at": now}
    statement = insert_skipping_duplicates(session, HandoffSent).values(**row).returning(HandoffSent.id)
    return session.execute(statement).scalar() is not None  # no row back: skipped, another process has it


def _open_incidents(session: Session, services: list[str]) -> list[dict[str, object]]:
    if not services:
        return []
    rows = session.scalars(
        select(Incident)
        .where(Incident.service.in_(services), Incident.status.in_(_OPEN))
        .order_by(Incident.number)
        .limit(MAX_LISTED)
    )
    return [
        {
            "number": i.number,
            "title": i.title,
            "severity": i.severity,
            "status": i.status,
            "channel_id": i.channel_id,
            "service": i.service,
        }
        for i in rows
    ]


def _open_items(session: Session, user: str) -> list[dict[str, object]]:
    rows = session.execute(
        select(ActionItem, Incident.number)
        .join(Incident, Incident.id == ActionItem.incident_id)
        .where(ActionItem.owner == user, ActionItem.status == ItemStatus.OPEN.value)
        .order_by(ActionItem.id)
        .limit(MAX_LISTED)
    ).all()
    return [
        {"id": item.id, "incident": number, "text": item.text, "due": item.due_on.isoformat() if item.due_on else None}
        for item, number in rows
    ]
