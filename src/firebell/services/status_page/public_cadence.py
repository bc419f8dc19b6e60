"""The public cadence as a use case: remind the Incident Commander when the status page is due an update.

The schedule is data: `status_incidents.next_update_due_at`, set when an update is published (from the
severity's `public_update_interval`) and moved on by each reminder. A tick claims every passed due point of an
unresolved public incident whose incident is still open with a compare-and-set on the status incident's
`revision`, so two processes sharing a database never both remind one due point; the claim, the timeline events
and the reminder effects commit together, and a restart resumes from the rows.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from firebell.domain.durations import format_duration
from firebell.domain.policy import Escalation, Policy
from firebell.domain.status_page.public_cadence import due_after_severity_change, missed_public_update
from firebell.domain.timeline import EventKind
from firebell.services.cadence import _HAS_COMMANDER, OPEN
from firebell.services.context import Context
from firebell.services.effects import EffectKind, effect_row, enqueue_many
from firebell.services.timeline import record_events
from firebell.store.models import Incident, StatusIncident

# Targets of a public reminder, in ladder order: (escalation, target, lane, what the timeline says).
_ESCALATIONS = (
    (Escalation.DM_COMMANDER, "dm", "dm", "Public update reminder sent to the Incident Commander directly"),
    (Escalation.ANNOUNCEMENT, "announcement", "announce", "Announced that the status page is without updates"),
)


def public_reminder_key(status_incident_id: int, due_at: datetime, miss: int, target: str) -> str:
    """The outbox key of one public reminder, whichever process sends it."""
    return f"status:{status_incident_id}:due:{int(due_at.timestamp() * 1_000_000)}:{miss}:{target}"


def send_due_public_reminders(ctx: Context, *, batch: int = 200) -> int:
    """Remind every open incident whose public update is overdue; returns how many due points this process
    claimed."""
    now = ctx.clock()
    claimed = 0
    while True:
        with ctx.db.transaction(background=True) as session:
            rows = session.execute(
                select(
                    StatusIncident.id,
                    StatusIncident.incident_id,
                    StatusIncident.public_id,
                    StatusIncident.next_update_due_at,
                    StatusIncident.reminder_misses,
                    StatusIncident.revision,
                    StatusIncident.updated_at,
                    Incident.severity,
                    _HAS_COMMANDER,
                )
                .join(Incident, Incident.id == StatusIncident.incident_id)
                .where(
                    StatusIncident.next_update_due_at <= now,
                    StatusIncident.resolved_at.is_(None),
                    StatusIncident.published_at.is_not(None),
                    Incident.status.in_(OPEN),
                )
                .order_by(StatusIncident.next_update_due_at)
                .limit(batch)
            ).all()
            won = [row for row in rows if _claim(session, ctx.policy, row, now)]
            _plan(session, ctx.policy, won, now)
            claimed += len(won)
        if len(rows) < batch or not won:
            return claimed


def follow_severity(session: Session, policy: Policy, incident: Incident) -> None:
    """Move the public due point of the incident's unresolved public incident to its new severity's
    `public_update_interval` (in the severity change's transaction; the revision keeps a tick that read the old
    due point from claiming it)."""
    status_incident = session.scalar(
        select(StatusIncident).where(StatusIncident.incident_id == incident.id).with_for_update()
    )
    if status_incident is None or status_incident.resolved_at is not None or status_incident.published_at is None:
        return
    due = due_after_severity_change(
        due=status_incident.next_update_due_at,
        interval=policy.known(incident.severity).public_update_interval,
        misses=status_incident.reminder_misses,
        last_published_at=status_incident.updated_at,
    )
    if due != status_incident.next_update_due_at:
        status_incident.next_update_due_at = due
        status_incident.revision += 1


def _claim(session: Session, policy: Policy, row: Any, now: datetime) -> bool:
    """Move one due point on, if no other process did since it was read (compare-and-set on `revision`)."""
    interval = policy.known(row.severity).public_update_interval
    plan = missed_public_update(
        due=row.next_update_due_at,
        interval=interval,
        previous_misses=row.reminder_misses,
        last_published_at=row.updated_at,
        now=now,
    )
    result = session.execute(
        update(StatusIncident)
        .where(
            StatusIncident.id == row.id,
            StatusIncident.revision == row.revision,
            StatusIncident.next_update_due_at == row.next_update_due_at,
        )
        .values(
            next_update_due_at=plan.next_due,
            reminder_misses=StatusIncident.reminder_misses + 1,
            revision=StatusIncident.revision + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _plan(session: Session, policy: Policy, won: list[Any], now: datetime) -> None:
    events: list[dict[str, Any]] = []
    effects: list[dict[str, Any]] = []
    for row in won:
        plan = missed_public_update(
            due=row.next_update_due_at,
            interval=policy.known(row.severity).public_update_interval,
            previous_misses=row.reminder_misses,
            last_published_at=row.updated_at,
            now=now,
        )
        actions = policy.cadence.step(plan.miss)
        if policy.announcement_channel is None:
            actions = tuple(a for a in actions if a is not Escalation.ANNOUNCEMENT)
        if not row.has_commander:
            actions = tuple(a for a in actions if a is not Escalation.DM_COMMANDER)
        data = {
            "status_incident_id": row.id,
            "public_id": row.public_id,
            "miss": plan.miss,
            "due_at": row.next_update_due_at.isoformat(),
            "silence_seconds": int(plan.silence.total_seconds()),
            "actions": [a.value for a in actions],
        }
        events.append(
            {
                "incident_id": row.incident_id,
                "kind": EventKind.PUBLIC_UPDATE_DUE,
                "at": now,
                "text": (
                    f"Public update overdue (miss {plan.miss}): the status page last heard "
                    f"{format_duration(plan.silence)} ago"
                ),
                "data": data,
            }
        )
        targets = [("room", "room")] if Escalation.ROOM in actions else []
        for action, target, lane_name, text in _ESCALATIONS:
            if action in actions:
                events.append(
                    {
                        "incident_id": row.incident_id,
                        "kind": EventKind.ESCALATION,
                        "at": now,
                        "text": text,
                        "data": {"miss": plan.miss, "action": action.value, "public": True},
                    }
                )
                targets.append((target, lane_name))
        payload = {**data, "mention_deputy": Escalation.MENTION_DEPUTY in actions}
        for target, lane_name in targets:
            effects.append(
                effect_row(
                    kind=EffectKind.POST_PUBLIC_REMINDER,
                    lane=f"inc:{row.incident_id}:{lane_name}",
                    key=public_reminder_key(row.id, row.next_update_due_at, plan.miss, target),
                    now=now,
                    incident_id=row.incident_id,
                    payload={**payload, "target": target},
                )
            )
    record_events(session, events)
    enqueue_many(session, effects)
