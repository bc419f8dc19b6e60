"""The communication cadence as use cases: schedule, remind (claiming each due point once), snooze."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, exists, or_, select, tuple_, update
from sqlalchemy.orm import Session

from firebell.domain.cadence import SCHEDULE_KINDS, MissedUpdate, due_under_policy, missed_update, next_update_due
from firebell.domain.durations import format_duration
from firebell.domain.errors import UsageError
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.lifecycle import Operation, Status
from firebell.domain.naming import incident_label
from firebell.domain.policy import Escalation, Policy
from firebell.domain.timeline import EventKind
from firebell.services.changes import incident_change
from firebell.services.context import Context
from firebell.services.effects import EffectKind, effect_row, enqueue_many
from firebell.services.incidents import snapshot
from firebell.services.timeline import record_event, record_events, timeline_of
from firebell.store.models import Incident, RoleAssignment

OPEN = (Status.INVESTIGATING.value, Status.MITIGATED.value)


def reschedule(incident: Incident, policy: Policy) -> None:
    """Set the next due point from the last update and the current severity and status."""
    incident.next_update_due_at = next_update_due(
        policy, severity=incident.severity, status=Status(incident.status), last_update_at=incident.last_update_at
    )


def follow_policy(ctx: Context) -> int:
    """Set every open incident's due point by the policy in force (at start: the policy file may have
    changed the intervals, or an upgrade left incidents unscheduled); returns how many moved.

    Each due point is replayed from the incident's own timeline (last update, reminders, snoozes) under the
    current policy, so an unchanged policy moves nothing. The write is a compare-and-set on the due point
    read, so a tick of another process claiming that due point meanwhile wins and this one leaves it.
    """
    moved = 0
    with ctx.db.transaction(background=True) as session:
        rows = session.execute(
            select(
                Incident.id, Incident.severity, Incident.status, Incident.last_update_at, Incident.next_update_due_at
            ).where(Incident.status.in_(OPEN))
        ).all()
        for row in rows:
            due = due_under_policy(
                ctx.policy,
                severity=row.severity,
                status=Status(row.status),
                last_update_at=row.last_update_at,
                entries=timeline_of(session, row.id, kinds=SCHEDULE_KINDS),
            )
            if due == row.next_update_due_at:
                continue
            current = (
                Incident.next_update_due_at.is_(None)
                if row.next_update_due_at is None
                else Incident.next_update_due_at == row.next_update_due_at
            )
            result = session.execute(
                update(Incident)
                .where(Incident.id == row.id, current)
                .values(next_update_due_at=due)
                .execution_options(synchronize_session=False)
            )
            moved += result.rowcount  # type: ignore[attr-defined]
    return moved


def reminder_key(incident_id: int, last_update_at: datetime, miss: int, target: str) -> str:
    """The outbox key of one reminder, whichever process sends it: the n-th miss since a given update.

    Not the due point: a severity or status change can move the next due point back onto one that was
    already reminded, and the same key twice would be refused.
    """
    return f"inc:{incident_id}:reminder:{int(last_update_at.timestamp() * 1_000_000)}:{miss}:{target}"


def send_due_reminders(ctx: Context, *, batch: int = 500) -> int:
    """Remind every incident whose update is overdue; returns how many due points this process claimed.

    A batch of due points is claimed with one conditional UPDATE on their exact (id, due) pairs, with
    RETURNING naming the rows this process won, so two processes sharing a database never both remind one;
    the claim, the timeline events and the reminder effects commit together.
    """
    now = ctx.clock()
    claimed = 0
    while True:
        with ctx.db.transaction(background=True) as session:
            due = session.execute(
                select(
                    Incident.id,
                    Incident.next_update_due_at,
                    Incident.severity,
                    Incident.status,
                    Incident.last_update_at,
                    Incident.missed_updates,
                    _HAS_COMMANDER,
                )
                .where(Incident.next_update_due_at <= now, Incident.status.in_(OPEN))
                .order_by(Incident.next_update_due_at)
                .limit(batch)
                # On PostgreSQL, rows another transaction holds (the other process's claim, an outcome being
                # recorded) are passed over, never waited for: two batches locking in different orders would
                # deadlock. Passed over is not lost: the next tick finds them due still, or claimed.
                .with_for_update(of=Incident, skip_locked=True)
            ).all()
            if due:
                claimed += _remind_batch(session, ctx.policy, due, now)
        if len(due) < batch:
            return claimed


# An alert-born incident nobody has taken command of has no IC to DM: that escalation is left out.
_HAS_COMMANDER = or_(
    Incident.declared_by.is_not(None),
    exists().where(RoleAssignment.incident_id == Incident.id, RoleAssignment.role == "commander"),
).label("has_commander")


def _remind_batch(session: Session, policy: Policy, due: Sequence[Any], now: datetime) -> int:
    plans = {
        row.id: (
            row.next_update_due_at,
            row.last_update_at,
            missed_update(
                policy,
                severity=row.severity,
                status=Status(row.status),
                due=row.next_update_due_at,
                last_update_at=row.last_update_at,
                previous_misses=row.missed_updates,
                now=now,
            ),
        )
        for row in due
    }
    without_ic = {row.id for row in due if not row.has_commander}
    won = session.execute(
        update(Incident)
        .where(tuple_(Incident.id, Incident.next_update_due_at).in_([(i, d) for i, (d, _, _) in plans.items()]))
        .values(
            next_update_due_at=case({i: p.next_due for i, (_, _, p) in plans.items()}, value=Incident.id),
            missed_updates=Incident.missed_updates + 1,
        )
        .returning(Incident.id)
        .execution_options(synchronize_session=False)
    ).scalars()
    events: list[dict[str, Any]] = []
    effects: list[dict[str, Any]] = []
    for incident_id in won:
        due_at, last_update_at, plan = plans[incident_id]
        _plan_reminder(
            policy,
            incident_id=incident_id,
            due_at=due_at,
            last_update_at=last_update_at,
            plan=plan,
            now=now,
            events=events,
            effects=effects,
            commander=incident_id not in without_ic,
        )
    record_events(session, events)
    enqueue_many(session, effects)
    return len({event["incident_id"] for event in events})


_ESCALATIONS = (
    (Escalation.DM_COMMANDER, "dm", "dm", "Reminder sent to the Incident Commander directly"),
    (Escalation.ANNOUNCEMENT, "announcement", "announce", "Announced that the incident is without updates"),
)


def _plan_reminder(
    policy: Policy,
    *,
    incident_id: int,
    due_at: datetime,
    last_update_at: datetime,
    plan: MissedUpdate,
    now: datetime,
    events: list[dict[str, Any]],
    effects: list[dict[str, Any]],
    commander: bool = True,
) -> None:
    """The timeline events and outbox effects of one missed due point (appended to the lists); without a
    `commander` (an alert-born incident nobody leads yet), no DM to one."""
    actions = policy.cadence.step(plan.miss)
    if policy.announcement_channel is None:
        actions = tuple(a for a in actions if a is not Escalation.ANNOUNCEMENT)
    if not commander:
        actions = tuple(a for a in actions if a is not Escalation.DM_COMMANDER)
    data = {
        "miss": plan.miss,
        "due_at": due_at.isoformat(),
        "last_update_at": last_update_at.isoformat(),
        "silence_seconds": int(plan.silence.total_seconds()),
        "actions": [a.value for a in actions],
    }
    events.append(
        {
            "incident_id": incident_id,
            "kind": EventKind.REMINDER,
            "at": now,
            "text": f"Status update overdue (miss {plan.miss}): last update {format_duration(plan.silence)} ago",
            "data": data,
        }
    )
    payload = {**data, "mention_deputy": Escalation.MENTION_DEPUTY in actions}
    targets = [("room", "room")] if Escalation.ROOM in actions else []
    for action, target, lane_name, text in _ESCALATIONS:
        if action in actions:
            events.append(
                {
                    "incident_id": incident_id,
                    "kind": EventKind.ESCALATION,
                    "at": now,
                    "text": text,
                    "data": {"miss": plan.miss, "action": action.value},
                }
            )
            targets.append((target, lane_name))
    for target, lane_name in targets:
        effects.append(
            effect_row(
                kind=EffectKind.POST_REMINDER,
                lane=f"inc:{incident_id}:{lane_name}",
                key=reminder_key(incident_id, last_update_at, plan.miss, target),
                now=now,
                incident_id=incident_id,
                payload={**payload, "target": target},
            )
        )


def snooze(ctx: Context, *, channel_id: str, actor: str, duration: timedelta) -> IncidentSnapshot:
    """Push the next reminder back by one of the policy's snooze options."""
    options = ctx.policy.cadence.snooze_options
    if duration not in options:
        valid = ", ".join(format_duration(o) for o in options if o is not None)
        raise UsageError(f"Snooze for {format_duration(duration)} is not offered; choose one of: {valid}.")
    with incident_change(ctx, channel_id=channel_id) as change:
        incident = change.incident
        change.guard(Operation.SNOOZE, actor=actor)
        if incident.next_update_due_at is None:
            raise UsageError(f"{incident_label(incident.number)} has no update cadence running; nothing to snooze.")
        until = change.now + duration
        incident.next_update_due_at = max(incident.next_update_due_at, until)
        record_event(
            change.session,
            incident,
            kind=EventKind.SNOOZED,
            at=change.now,
            actor=actor,
            text=f"Update reminders snoozed for {format_duration(duration)}",
            data={"seconds": int(duration.total_seconds()), "until": incident.next_update_due_at.isoformat()},
        )
        return snapshot(incident)
