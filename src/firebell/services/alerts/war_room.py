"""Alert-born incidents and war-room notes: the ingest's follow-up steps for groups that declare, or are linked.

`declare_from_alerts` declares an incident for a group that meets its source's declare rule, inside the ingest's
transaction and so under its group key's lock: two replicas receiving the same group at once declare once.
`note_alert_changes` records each alert state change of a linked group on the incident's timeline and asks for
one coalesced war-room note (lane `inc:{id}:alerts`); the note is rendered at delivery from the timeline events
after the incident's `alerts_noted_through` mark, which the delivery then moves forward.
"""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from firebell.domain.alert_incidents import AlertNote, alert_born_title
from firebell.domain.lifecycle import Status
from firebell.domain.timeline import EventKind
from firebell.services.alerts.ingest import IngestResult
from firebell.services.coalesced_effects import enqueue_coalesced
from firebell.services.context import Context
from firebell.services.effects import EffectKind, lane
from firebell.services.incidents import DeclareRequest, declare_in_session
from firebell.services.timeline import record_events
from firebell.store.models import Alert, AlertGroup, Incident, TimelineEvent

# Groups declared in this transaction: their first alerts are in the kick-off, not in a note.
_DECLARED_NOW = "firebell.alert_groups_declared_now"
_NOTE_NAMES = 5
KICKOFF_ALERTS = 10  # listed in a kick-off; the rest are "and N more"
_OPEN = (Status.INVESTIGATING.value, Status.MITIGATED.value)


def declare_from_alerts(session: Session, ctx: Context, group: AlertGroup, result: IngestResult) -> None:
    """A group that meets its declare rule becomes an incident: war room, kick-off, announcement, cadence."""
    if not result.declare or group.incident_id is not None:
        return
    names = list(session.scalars(select(Alert.name).where(Alert.group_id == group.id, Alert.status == "firing")))
    request = DeclareRequest(
        title=alert_born_title(names, service=group.service, sender_title=group.title),
        declared_by=None,
        declared_from=group.source,
        severity=result.severity,
        commander=ctx.policy.triage_owner,
        alert_group_id=group.id,
    )
    now = ctx.clock()
    incident = declare_in_session(session, ctx, request, now=now)
    result.incident_id = incident.id
    session.info.setdefault(_DECLARED_NOW, set()).add(group.id)
    # The first alerts are on the timeline too (each alert's firing is), but the kick-off lists them: the
    # war room's first note starts after them.
    changed = [*result.new_alert_ids, *result.refired_alert_ids]
    _record(session, incident, changed, refired=set(result.refired_alert_ids), resolved=[])
    incident.alerts_noted_through = _last_alert_event(session, incident.id)


def note_alert_changes(session: Session, ctx: Context, group: AlertGroup, result: IngestResult) -> None:
    """Alerts of a group linked to an incident: each state change on its timeline, one coalesced war-room note."""
    if group.incident_id is None or group.id in session.info.get(_DECLARED_NOW, ()):
        return
    changed = [*result.new_alert_ids, *result.refired_alert_ids]
    if not changed and not result.resolved_alert_ids:
        return  # a re-send of what is known: nothing to record or tell
    # The incident's row lock orders concurrent ingests of its groups, so timeline ids grow in commit order
    # (the note's mark never skips an event committed late) and only one of them queues the note.
    incident = session.get(Incident, group.incident_id, with_for_update=True)
    if incident is None:
        return
    _record(session, incident, changed, refired=set(result.refired_alert_ids), resolved=result.resolved_alert_ids)
    if incident.status not in _OPEN:
        return  # a late resolve for a resolved incident: on its timeline, not worth a message
    enqueue_coalesced(
        session, kind=EffectKind.POST_ALERT_NOTE, lane=lane(incident, "alerts"), now=ctx.clock(), incident=incident
    )


def _record(session: Session, incident: Incident, firing: list[int], *, refired: set[int], resolved: list[int]) -> None:
    ids = [*firing, *resolved]
    if not ids:
        return
    rows = session.execute(
        select(Alert.id, Alert.name, Alert.fingerprint, Alert.group_id, Alert.starts_at, Alert.ends_at, Alert.labels)
        .where(Alert.id.in_(ids))
        .order_by(Alert.id)
    ).all()
    resolved_set = set(resolved)
    events: list[dict[str, Any]] = []
    for row in rows:
        done = row.id in resolved_set
        when = (row.ends_at or row.starts_at) if done else row.starts_at
        how = "resolved" if done else ("fired again" if row.id in refired else "fired")
        events.append(
            {
                "incident_id": incident.id,
                "kind": EventKind.ALERT_RESOLVED if done else EventKind.ALERT_FIRING,
                "at": when,
                "text": f"Alert {row.name} {how}",
                "data": {
                    "alert_id": row.id,
                    "name": row.name,
                    "fingerprint": row.fingerprint,
                    "group_id": row.group_id,
                    "refired": row.id in refired,
                },
            }
        )
    record_events(session, events)


def _last_alert_event(session: Session, incident_id: int) -> int | None:
    return session.scalar(
        select(func.max(TimelineEvent.id)).where(
            TimelineEvent.incident_id == incident_id,
            TimelineEvent.kind.in_([EventKind.ALERT_FIRING.value, EventKind.ALERT_RESOLVED.value]),
        )
    )


def pending_note(ctx: Context, incident_id: int) -> tuple[AlertNote, int] | None:
    """For the delivery: what changed since the incident's mark and the new mark; None when nothing did."""
    with ctx.db.read() as session:
        mark = session.scalar(select(Incident.alerts_noted_through).where(Incident.id == incident_id))
        query = select(TimelineEvent.id, TimelineEvent.kind, TimelineEvent.at, TimelineEvent.data).where(
            TimelineEvent.incident_id == incident_id,
            TimelineEvent.kind.in_([EventKind.ALERT_FIRING.value, EventKind.ALERT_RESOLVED.value]),
        )
        if mark is not None:
            query = query.where(TimelineEvent.id > mark)
        events = session.execute(query.order_by(TimelineEvent.id)).all()
        if not events:
            return None
        firing_now = session.scalar(
            select(func.count(Alert.id))
            .join(AlertGroup, AlertGroup.id == Alert.group_id)
            .where(AlertGroup.incident_id == incident_id, Alert.status == "firing")
        )
    fired = refired = resolved = 0
    names: Counter[str] = Counter()
    last_resolved_at = None
    for event in events:
        data = event.data or {}
        names[str(data.get("name") or "")] += 1
        if event.kind == EventKind.ALERT_RESOLVED.value:
            resolved += 1
            last_resolved_at = event.at if last_resolved_at is None else max(last_resolved_at, event.at)
        elif data.get("refired"):
            refired += 1
        else:
            fired += 1
    note = AlertNote(
        fired=fired,
        refired=refired,
        resolved=resolved,
        firing_now=int(firing_now or 0),
        names=tuple(name for name, _ in names.most_common(_NOTE_NAMES) if name),
        last_resolved_at=last_resolved_at,
    )
    return note, int(events[-1].id)


@dataclass(frozen=True)
class KickoffAlert:
    """One alert as the kick-off lists it (untrusted text: the renderer escapes and cuts it)."""

    name: str
    status: str
    summary: str | None
    source: str


@dataclass(frozen=True)
class KickoffAlerts:
    """The alerts a kick-off lists: the first few (firing first), how many in all, what the sender left out."""

    shown: list[KickoffAlert]
    total: int
    truncated: int  # alerts the sender said it did not send (Alertmanager's truncatedAlerts)
    names: list[str]  # distinct alert names, for the runbook suggestions


def kickoff_alerts(ctx: Context, incident_id: int, *, limit: int = KICKOFF_ALERTS) -> KickoffAlerts | None:
    """The alerts of the groups linked to an incident, for its kick-off; None when it has none."""
    linked = select(AlertGroup.id).where(AlertGroup.incident_id == incident_id)
    with ctx.db.read() as session:
        total = session.scalar(select(func.count(Alert.id)).where(Alert.group_id.in_(linked))) or 0
        if not total:
            return None
        rows = session.execute(
            select(Alert.name, Alert.status, Alert.annotations, Alert.source)
            .where(Alert.group_id.in_(linked))
            .order_by((Alert.status == "firing").desc(), Alert.starts_at, Alert.id)
            .limit(limit)
        ).all()
        names = list(session.scalars(select(Alert.name).where(Alert.group_id.in_(linked)).distinct().limit(20)))
        truncated = session.scalar(select(func.sum(AlertGroup.truncated_alerts)).where(AlertGroup.id.in_(linked)))
    shown = [
        KickoffAlert(name=row.name, status=row.status, summary=_summary(row.annotations), source=row.source)
        for row in rows
    ]
    return KickoffAlerts(shown=shown, total=int(total), truncated=int(truncated or 0), names=names)


def _summary(annotations: dict[str, Any] | None) -> str | None:
    for key in ("summary", "description", "message"):
        value = (annotations or {}).get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None
