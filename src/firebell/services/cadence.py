"""The communication cadence as use cases: schedule, remind (claiming each due point once), snooze."""

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from firebell.domain.cadence import missed_update, next_update_due
from firebell.domain.durations import format_duration
from firebell.domain.errors import UsageError
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.lifecycle import Status
from firebell.domain.naming import incident_label
from firebell.domain.policy import Escalation, Policy
from firebell.domain.timeline import EventKind
from firebell.services.changes import incident_change
from firebell.services.context import Context
from firebell.services.effects import EffectKind, enqueue, lane
from firebell.services.incidents import snapshot
from firebell.services.timeline import record_event
from firebell.store.models import Incident

OPEN = (Status.INVESTIGATING.value, Status.MITIGATED.value)


def reschedule(incident: Incident, policy: Policy) -> None:
    """Set the next due point from the last update and the current severity and status."""
    incident.next_update_due_at = next_update_due(
        policy, severity=incident.severity, status=Status(incident.status), last_update_at=incident.last_update_at
    )


def schedule_unscheduled(ctx: Context) -> int:
    """Give open incidents without a due point one (after an upgrade or a policy change); returns how many."""
    scheduled = 0
    with ctx.db.transaction(background=True) as session:
        rows = session.scalars(
            select(Incident).where(Incident.status.in_(OPEN), Incident.next_update_due_at.is_(None))
        ).all()
        for incident in rows:
            reschedule(incident, ctx.policy)
            scheduled += incident.next_update_due_at is not None
    return scheduled


def send_due_reminders(ctx: Context, *, batch: int = 200) -> int:
    """Remind every incident whose update is overdue; returns how many due points this process claimed.

    Each due point is claimed with a conditional UPDATE on its exact value, so two processes sharing a
    database never both remind it; the claim, the timeline events and the reminder effects commit together.
    """
    now = ctx.clock()
    claimed = 0
    while True:
        with ctx.db.transaction(background=True) as session:
            due = session.execute(
                select(Incident.id, Incident.next_update_due_at)
                .where(Incident.next_update_due_at <= now, Incident.status.in_(OPEN))
                .order_by(Incident.next_update_due_at)
                .limit(batch)
            ).all()
            count = sum(_remind(session, ctx.policy, incident_id, due_at, now) for incident_id, due_at in due if due_at)
        claimed += count
        if len(due) < batch:
            return claimed


def _remind(session: Session, policy: Policy, incident_id: int, due_at: datetime, now: datetime) -> bool:
    incident = session.get(Incident, incident_id)
    if incident is None:
        return False
    plan = missed_update(
        policy,
        severity=incident.severity,
        status=Status(incident.status),
        due=due_at,
        last_update_at=incident.last_update_at,
        previous_misses=incident.missed_updates,
        now=now,
    )
    result = session.execute(
        update(Incident)
        .where(Incident.id == incident_id, Incident.next_update_due_at == due_at)
        .values(next_update_due_at=plan.next_due, missed_updates=plan.miss)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False  # another process claimed this due point first
    session.expire(incident)
    actions = policy.cadence.step(plan.miss)
    silence = format_duration(plan.silence)
    data = {
        "miss": plan.miss,
        "due_at": due_at.isoformat(),
        "silence_seconds": int(plan.silence.total_seconds()),
        "actions": [a.value for a in actions],
    }
    event = record_event(
        session,
        incident,
        kind=EventKind.REMINDER,
        at=now,
        actor=None,
        text=f"Status update overdue (miss {plan.miss}): last update {silence} ago",
        data=data,
    )
    assert event is not None
    key = f"inc:{incident.id}:reminder:{event.id}"
    payload = {**data, "event_id": event.id, "mention_deputy": Escalation.MENTION_DEPUTY in actions}
    if Escalation.ROOM in actions:
        enqueue(
            session,
            kind=EffectKind.POST_REMINDER,
            lane=lane(incident, "room"),
            key=f"{key}:room",
            now=now,
            incident=incident,
            payload={**payload, "target": "room"},
        )
    for action, target, lane_name, text in (
        (Escalation.DM_COMMANDER, "dm", "dm", "Reminder sent to the Incident Commander directly"),
        (Escalation.ANNOUNCEMENT, "announcement", "announce", "Announced that the incident is without updates"),
    ):
        if action in actions:
            record_event(
                session,
                incident,
                kind=EventKind.ESCALATION,
                at=now,
                actor=None,
                text=text,
                data={"miss": plan.miss, "action": action.value},
            )
            enqueue(
                session,
                kind=EffectKind.POST_REMINDER,
                lane=lane(incident, lane_name),
                key=f"{key}:{target}",
                now=now,
                incident=incident,
                payload={**payload, "target": target},
            )
    return True


def snooze(ctx: Context, *, channel_id: str, actor: str, duration: timedelta) -> IncidentSnapshot:
    """Push the next reminder back by one of the policy's snooze options."""
    options = ctx.policy.cadence.snooze_options
    if duration not in options:
        valid = ", ".join(format_duration(o) for o in options if o is not None)
        raise UsageError(f"Snooze for {format_duration(duration)} is not offered; choose one of: {valid}.")
    with incident_change(ctx, channel_id=channel_id) as change:
        incident = change.incident
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
