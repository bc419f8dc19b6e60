"""Triage of alert groups below their source's declare rule: one message per group in the triage channel,
kept current through the outbox, and the decisions people take from it (declare, attach, decline,
acknowledge), each recorded on the group with who and when.

The message is one coalesced effect per group (lane `alert-group:{id}:triage`): however many alerts join or
resolve, at most one edit waits, and it renders the group as the store holds it when it is delivered.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from firebell.domain.alert_triage import (
    DECLINE_WINDOW,
    MAX_NOTE,
    DeclineReason,
    TriageAction,
    TriageAlert,
    TriageState,
    alert_set_of,
    refusal,
)
from firebell.domain.errors import UsageError
from firebell.domain.lifecycle import Status
from firebell.domain.naming import incident_label
from firebell.services.alerts.ingest import IngestResult
from firebell.services.alerts.links import Decision, link_group
from firebell.services.alerts.triage_sync import enqueue_triage_sync, is_triaged
from firebell.services.context import Context
from firebell.services.effects import enqueue_notice
from firebell.services.incidents import load_by_number
from firebell.store.models import Alert, AlertGroup, Incident, TimelineEvent

SHOWN_ALERTS = 20  # alerts read for the message (the builder lists at most this many)
_OPEN = (Status.INVESTIGATING.value, Status.MITIGATED.value)


class TriageRefused(UsageError):
    """A triage decision that no longer applies (or names a group or incident that is not there)."""


def triage_step(session: Session, ctx: Context, group: AlertGroup, result: IngestResult) -> None:
    """The ingest's follow-up: a new group below its declare rule gets a triage message; a triaged group's
    message is edited when alerts join, resolve or the group closes. Groups declared at once are left alone."""
    if ctx.policy.triage_channel is None:
        return
    changed = bool(
        result.group_created
        or result.group_closed
        or result.new_alert_ids
        or result.refired_alert_ids
        or result.resolved_alert_ids
        or result.retitled  # a re-send whose severity label or summary changed
    )
    if not changed:
        return  # a re-send of the same alerts (Alertmanager's group_interval): the message shows it already
    if is_triaged(session, group):
        enqueue_triage_sync(session, group.id, now=ctx.clock())
        return
    if result.declare or group.incident_id is not None or group.status != "open":
        return
    enqueue_triage_sync(session, group.id, now=ctx.clock())


# -- decisions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupSummary:
    """What a form about a group is prefilled with."""

    id: int
    source: str
    service: str | None
    severity: str | None
    title: str


def _number_of(session: Session, group: AlertGroup) -> int | None:
    if group.incident_id is None:
        return None
    return session.scalar(select(Incident.number).where(Incident.id == group.incident_id))


def _title_of(session: Session, group: AlertGroup) -> str:
    if group.title:
        return group.title
    names = session.scalars(select(Alert.name).where(Alert.group_id == group.id).order_by(Alert.id).limit(3)).all()
    return ", ".join(dict.fromkeys(names)) or f"Alerts from {group.source}"


def _refuse_unless(session: Session, group: AlertGroup, action: TriageAction) -> None:
    why = refusal(action, decision=group.decision, incident_number=_number_of(session, group), status=group.status)
    if why is not None:
        raise TriageRefused(why)


def _group(session: Session, group_id: int, *, lock: bool) -> AlertGroup:
    group = session.get(AlertGroup, group_id, with_for_update=lock)
    if group is None:
        raise TriageRefused(f"There is no alert group {group_id}.")
    return group


def check_action(ctx: Context, group_id: int, action: TriageAction) -> GroupSummary:
    """The group, if `action` still applies to it; TriageRefused saying why not otherwise."""
    with ctx.db.read() as session:
        group = _group(session, group_id, lock=False)
        _refuse_unless(session, group, action)
        title = _title_of(session, group)
        return GroupSummary(group.id, group.source, group.service, group.severity, title)


def _alert_set(session: Session, group: AlertGroup) -> str:
    names = session.scalars(select(Alert.name).where(Alert.group_id == group.id).distinct()).all()
    return alert_set_of(group.source, names)


def _decide(session: Session, group: AlertGroup, decision: Decision, *, actor: str, now: datetime) -> None:
    group.decision, group.decided_by, group.decided_at = decision.value, actor, now
    group.alert_set = _alert_set(session, group)
    enqueue_triage_sync(session, group.id, now=now)


def acknowledge(ctx: Context, *, group_id: int, actor: str) -> None:
    """Someone is looking at these alerts; no incident yet."""
    with ctx.db.transaction() as session:
        group = _group(session, group_id, lock=True)
        _refuse_unless(session, group, TriageAction.ACKNOWLEDGE)
        group.decision_reason, group.decision_note = None, None
        _decide(session, group, Decision.ACKNOWLEDGED, actor=actor, now=ctx.clock())


def decline(ctx: Context, *, group_id: int, actor: str, reason: str, note: str | None) -> None:
    """No incident for these alerts, for a reason that is counted for alike groups."""
    try:
        why = DeclineReason(reason)
    except ValueError:
        raise TriageRefused(f"Pick a reason: {', '.join(r.value for r in DeclineReason)}.") from None
    with ctx.db.transaction() as session:
        group = _group(session, group_id, lock=True)
        _refuse_unless(session, group, TriageAction.DECLINE)
        group.decision_reason, group.decision_note = why.value, (note or "")[:MAX_NOTE] or None
        _decide(session, group, Decision.DECLINED, actor=actor, now=ctx.clock())


def attach(ctx: Context, *, group_id: int, number: int, actor: str) -> None:
    """Attach the group's alerts to an open incident, and tell its war room who attached how many."""
    with ctx.db.transaction() as session:
        now = ctx.clock()
        group = _group(session, group_id, lock=True)
        _refuse_unless(session, group, TriageAction.ATTACH)
        incident = load_by_number(session, number, for_update=True)
        if incident.status not in _OPEN:
            raise TriageRefused(f"{incident_label(number)} is {incident.status}; attach to an open incident.")
        link_group(session, group, incident, decision=Decision.ATTACHED, by=actor, now=now)
        group.alert_set = _alert_set(session, group)
        event = session.scalar(
            select(TimelineEvent).where(
                TimelineEvent.incident_id == incident.id,
                TimelineEvent.source_key == f"alerts_linked:{group.id}:{incident.id}",
            )
        )
        total, firing = _counts(session, group.id)
        if event is not None:
            enqueue_notice(
                session,
                incident,
                event,
                notice="alerts_attached",
                now=now,
                data={"actor": actor, "alerts": total, "firing": firing, "source": group.source, "group_id": group.id},
            )
        enqueue_triage_sync(session, group.id, now=now)


def open_incidents(ctx: Context, limit: int = 100) -> list[tuple[int, str, str]]:
    """(number, severity, title) of the open incidents, newest first: what alerts can be attached to."""
    query = (
        select(Incident.number, Incident.severity, Incident.title)
        .where(Incident.status.in_(_OPEN))
        .order_by(Incident.number.desc())
        .limit(limit)
    )
    with ctx.db.read() as session:
        return [(row.number, row.severity, row.title) for row in session.execute(query)]


# -- rendering -------------------------------------------------------------------------------------


def _counts(session: Session, group_id: int) -> tuple[int, int]:
    row = session.execute(
        select(func.count(Alert.id), func.sum(case((Alert.status == "firing", 1), else_=0))).where(
            Alert.group_id == group_id
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


def declined_counts(session: Session, *, source: str, alert_set: str, since: datetime) -> dict[str, int]:
    """How many groups of this source with this set of alert names were declined since `since`, per reason."""
    query = (
        select(AlertGroup.decision_reason, func.count(AlertGroup.id))
        .where(
            AlertGroup.source == source,
            AlertGroup.alert_set == alert_set,
            AlertGroup.decision == Decision.DECLINED.value,
            AlertGroup.decided_at >= since,
        )
        .group_by(AlertGroup.decision_reason)
    )
    return {str(reason): int(n) for reason, n in session.execute(query) if reason}


def triage_state(ctx: Context, group_id: int) -> TriageState | None:
    """The group as its triage message shows it, read now (None if it is gone)."""
    with ctx.db.read() as session:
        group = session.get(AlertGroup, group_id)
        if group is None:
            return None
        total, firing = _counts(session, group.id)
        firing_first = case((Alert.status == "firing", 0), else_=1)
        rows = session.scalars(
            select(Alert).where(Alert.group_id == group.id).order_by(firing_first, Alert.id).limit(SHOWN_ALERTS)
        ).all()
        alerts = [
            TriageAlert(
                name=a.name,
                status=a.status,
                labels=a.labels or {},
                annotations=a.annotations or {},
                generator_url=a.generator_url,
                silence_url=a.silence_url,
                dashboard_url=a.dashboard_url,
            )
            for a in rows
        ]
        incident = session.get(Incident, group.incident_id) if group.incident_id is not None else None
        declined = declined_counts(
            session, source=group.source, alert_set=_alert_set(session, group), since=ctx.clock() - DECLINE_WINDOW
        )
        return TriageState(
            group_id=group.id,
            source=group.source,
            service=group.service,
            severity=group.severity,
            title=group.title,
            status=group.status,
            firing=firing,
            resolved=total - firing,
            alerts=alerts,
            closed_at=group.closed_at,
            truncated_alerts=group.truncated_alerts,
            notification_reason=group.notification_reason,
            external_url=group.external_url,
            decision=group.decision,
            reason=group.decision_reason,
            note=group.decision_note,
            decided_by=group.decided_by,
            decided_at=group.decided_at,
            incident_number=incident.number if incident is not None else None,
            incident_channel_id=incident.channel_id if incident is not None else None,
            declined_before=declined,
        )


def triage_message_of(ctx: Context, group_id: int) -> tuple[str, str] | None:
    """(channel, ts) of the group's triage message, once posted."""
    with ctx.db.read() as session:
        row = session.execute(
            select(AlertGroup.triage_channel_id, AlertGroup.triage_ts).where(AlertGroup.id == group_id)
        ).first()
    if row is None or row.triage_channel_id is None or row.triage_ts is None:
        return None
    return row.triage_channel_id, row.triage_ts


def record_triage_message(ctx: Context, group_id: int, *, channel: str | None, ts: str | None) -> None:
    """Remember where the group's triage message is (None, None: it is gone and must be posted again)."""
    with ctx.db.transaction(background=True) as session:
        group = session.get(AlertGroup, group_id)
        if group is not None:
            group.triage_channel_id, group.triage_ts = channel, ts
