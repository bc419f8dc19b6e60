"""Declaring incidents and reading them back."""

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import Session

from firebell.domain.affected_service import alert_service, service_named
from firebell.domain.cadence import next_update_due
from firebell.domain.errors import IncidentNotFound, NotAnIncidentChannel, UsageError
from firebell.domain.free_text import refuse_nul
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.incident_times import check_detected_at_declare
from firebell.domain.lifecycle import Status
from firebell.domain.naming import incident_label
from firebell.domain.timeline import EventKind
from firebell.services.alerts.links import Decision, link_group
from firebell.services.context import Context
from firebell.services.effects import EffectKind, enqueue, lane
from firebell.services.paging.pages import pages_for_declare
from firebell.services.timeline import record_event
from firebell.store.models import AlertGroup, Counter, Incident, RoleAssignment

MAX_TITLE = 200


def snapshot(incident: Incident) -> IncidentSnapshot:
    """The read-only picture of a stored incident."""
    return IncidentSnapshot(
        id=incident.id,
        number=incident.number,
        title=incident.title,
        severity=incident.severity,
        status=Status(incident.status),
        declared_by=incident.declared_by,
        declared_from=incident.declared_from,
        declared_at=incident.declared_at,
        roles={role.role: role.user_id for role in incident.roles},
        description=incident.description,
        customer_impact=incident.customer_impact,
        mitigated_at=incident.mitigated_at,
        resolved_at=incident.resolved_at,
        closed_at=incident.closed_at,
        channel_id=incident.channel_id,
        channel_name=incident.channel_name,
        kickoff_ts=incident.kickoff_ts,
        announcement_channel_id=incident.announcement_channel_id,
        announcement_ts=incident.announcement_ts,
        last_update_at=incident.last_update_at,
        next_update_due_at=incident.next_update_due_at,
        missed_updates=incident.missed_updates,
        detected_at=incident.detected_at,
        impact_started_at=incident.impact_started_at,
        service=incident.service,
        acknowledged_at=incident.acknowledged_at,
    )


def _next_number(ctx: Context) -> int:
    # A short transaction of its own: the counter row's lock (PostgreSQL) or the write slot (SQLite) is
    # held for one statement, not for the whole declare, so concurrent declares do not queue behind each
    # other. Numbers are unique and never reused; a declare that fails after this leaves a gap. It does not
    # seal an inbox entry: the declare's own transaction does, so a crash in between declares again.
    with ctx.db.transaction(seals=False) as session:
        return _increment_counter(session)


def _increment_counter(session: Session) -> int:
    number = session.execute(
        update(Counter).where(Counter.name == "incident").values(value=Counter.value + 1).returning(Counter.value)
    ).scalar_one()
    return int(number)


def _clean_title(title: str) -> str:
    refuse_nul(title, "title")
    cleaned = " ".join(title.split())
    if not cleaned:
        raise UsageError("An incident needs a title: `/incident declare [sev1-sev4] <what is broken>`.")
    if len(cleaned) > MAX_TITLE:
        raise UsageError(f"The title is {len(cleaned)} characters; keep it under {MAX_TITLE}.")
    return cleaned


@dataclass(frozen=True)
class DeclareRequest:
    """Everything a declare can carry, from the slash command or the form (or an alert source's rule)."""

    title: str
    # The person declaring; None only for an alert-born incident, declared by `declared_from`'s declare rule.
    declared_by: str | None
    severity: str | None = None
    commander: str | None = None
    description: str | None = None
    customer_impact: str | None = None
    response_url: str | None = None
    # Answer "declared" through the response_url too (the slash command), not only "war room is ready".
    confirm: bool = False
    # Declared from this alert group (triage's Declare button, or the source's declare rule): the group is
    # linked in the same transaction, and detected_at becomes its alerts' earliest startsAt.
    alert_group_id: int | None = None
    # When it was first noticed (`--detected`, the form's "Noticed at"); None: when declared.
    detected_at: datetime | None = None
    # The alert source whose declare rule declared it (with declared_by None).
    declared_from: str | None = None
    # The service affected, from the policy's `services` (its escalation policy is paged); an alert-born
    # incident takes its group's service when none is given.
    service: str | None = None


def declare_incident(ctx: Context, request: DeclareRequest) -> IncidentSnapshot:
    """Record a new incident and queue its war room, kick-off, announcement and invitations."""
    if request.declared_by is None:
        raise ValueError("a person's declare needs declared_by; alert-born incidents use declare_in_session")
    _check(ctx, request)
    now = ctx.clock()
    detected = check_detected_at_declare(request.detected_at, now=now) if request.detected_at else now
    number = _next_number(ctx)
    with ctx.db.transaction() as session:
        return snapshot(declare_in_session(session, ctx, request, number=number, now=now, detected=detected))


def _check(ctx: Context, request: DeclareRequest) -> str:
    """Refuse what a declare cannot carry (before a number is taken); the cleaned title."""
    refuse_nul(request.description or "", "description")
    refuse_nul(request.customer_impact or "", "customer impact")
    if request.severity:
        ctx.policy.severity(request.severity)
    if request.service is not None:
        service_named(ctx.policy, request.service)
    return _clean_title(request.title)


def declare_in_session(
    session: Session,
    ctx: Context,
    request: DeclareRequest,
    *,
    number: int | None = None,
    now: datetime,
    detected: datetime | None = None,
) -> Incident:
    """The body of a declare, in a transaction the caller holds (an alert ingest declares inside its own,
    under the group key's lock, so two replicas receiving one group declare once). Without `number`, it is
    taken from the counter in this transaction."""
    policy = ctx.policy
    title = _check(ctx, request)
    severity = policy.severity(request.severity).name if request.severity else policy.default.name
    commander = request.commander or request.declared_by  # alert-born: the triage owner, or nobody yet
    if number is None:
        number = _increment_counter(session)
    incident = Incident(
        number=number,
        title=title,
        description=(request.description or "").strip() or None,
        customer_impact=(request.customer_impact or "").strip() or None,
        severity=severity,
        status=Status.INVESTIGATING.value,
        declared_by=request.declared_by,
        declared_from=request.declared_from if request.declared_by is None else None,
        declared_at=now,
        # A person's declare: when they noticed it (`detected`), else when declared. Alert-born: the earliest
        # startsAt of its alerts, set by linking the group below (whenever the sender says they started).
        detected_at=detected or (now if request.declared_by is not None or request.alert_group_id is None else None),
        updated_at=now,
        last_update_at=now,
        missed_updates=0,
        service=service_named(policy, request.service).name if request.service is not None else None,
    )
    incident.next_update_due_at = next_update_due(
        policy, severity=severity, status=Status.INVESTIGATING, last_update_at=now
    )
    if commander is not None:
        incident.roles.append(RoleAssignment(role="commander", user_id=commander, assigned_at=now))
    session.add(incident)
    session.flush()
    if request.alert_group_id is not None:
        _link_alerts(session, ctx, incident, request, now=now)
    how = f" from alerts ({request.declared_from})" if request.declared_by is None else ""
    record_event(
        session,
        incident,
        kind=EventKind.DECLARED,
        at=now,
        actor=request.declared_by,
        text=f"Declared {incident_label(number)} ({severity}){how}: {title}",
        data={
            "severity": severity,
            "commander": commander,
            "declared_from": incident.declared_from,
            "detected_at": incident.detected_at.isoformat() if incident.detected_at else None,
            "service": incident.service,
        },
    )
    _enqueue_war_room(
        session,
        incident,
        request,
        now=now,
        bridge=policy.bridge_for(number),
        announcements=policy.announcement_channel is not None,
    )
    # Paging commits with the incident: the pager, woken by the commit, notifies the first step at once.
    pages_for_declare(session, policy, incident, now=now)
    return incident


def _link_alerts(session: Session, ctx: Context, incident: Incident, request: DeclareRequest, *, now: datetime) -> None:
    group = session.get(AlertGroup, request.alert_group_id, with_for_update=True)
    if group is None:
        raise UsageError(f"Alert group {request.alert_group_id} does not exist.")
    if group.incident_id is not None:
        raise UsageError(f"Alert group {group.id} already belongs to another incident; attach to that one instead.")
    if incident.service is None:  # nobody named one: the alerts' service, when the policy knows it
        incident.service = alert_service(ctx.policy, group.service)
    link_group(session, group, incident, decision=Decision.DECLARED, by=request.declared_by, now=now)


def _enqueue_war_room(
    session: Session,
    incident: Incident,
    request: DeclareRequest,
    *,
    now: datetime,
    bridge: str | None,
    announcements: bool,
) -> None:
    def add(kind: EffectKind, lane_name: str, payload: dict[str, object] | None = None) -> None:
        enqueue(
            session,
            kind=kind,
            lane=lane(incident, lane_name),
            key=f"inc:{incident.id}:{kind.value}",
            now=now,
            incident=incident,
            payload=payload,
        )

    # The room lane is the critical path: the channel, then the kick-off message in it.
    add(EffectKind.CREATE_CHANNEL, "room")
    add(EffectKind.POST_KICKOFF, "room")
    add(EffectKind.PIN_KICKOFF, "pin")
    add(EffectKind.SYNC_TOPIC, "topic")
    people = [p for p in dict.fromkeys([request.declared_by, *(r.user_id for r in incident.roles)]) if p]
    if people:
        add(EffectKind.INVITE, "members", {"users": people})
    if announcements:
        add(EffectKind.POST_ANNOUNCEMENT, "announce")
    if bridge:
        add(EffectKind.ADD_BOOKMARK, "bookmark", {"title": "Video bridge", "link": bridge})
    if request.response_url:
        if request.confirm:
            # The declarer's answer, queued with the change so it survives a crash and comes before
            # "war room is ready" (one lane, in order).
            enqueue(
                session,
                kind=EffectKind.RESPOND,
                lane=lane(incident, "respond"),
                key=f"inc:{incident.id}:respond:declared",
                now=now,
                incident=incident,
                payload={"response_url": request.response_url, "message": "declared"},
            )
        add(EffectKind.RESPOND, "respond", {"response_url": request.response_url, "message": "war_room_ready"})


def load_by_channel(session: Session, channel_id: str, *, for_update: bool = False) -> Incident:
    """The incident whose war room is this channel, or NotAnIncidentChannel; `for_update` locks its row."""
    query = select(Incident).where(Incident.channel_id == channel_id)
    incident = session.scalar(query.with_for_update() if for_update else query)
    if incident is None:
        raise NotAnIncidentChannel(
            "This isn't an incident channel. Run this in an incident's war room "
            "(`/incident list` shows them), or declare one with `/incident declare <title>`."
        )
    return incident


def load_by_number(session: Session, number: int, *, for_update: bool = False) -> Incident:
    """The incident with this number, or IncidentNotFound; `for_update` locks its row."""
    query = select(Incident).where(Incident.number == number)
    incident = session.scalar(query.with_for_update() if for_update else query)
    if incident is None:
        raise IncidentNotFound(f"There is no {incident_label(number)}.")
    return incident


def incident_for_channel(ctx: Context, channel_id: str) -> IncidentSnapshot | None:
    """The incident whose war room this is, if any."""
    with ctx.db.read() as session:
        incident = session.scalar(select(Incident).where(Incident.channel_id == channel_id))
        return snapshot(incident) if incident is not None else None


def get_incident(ctx: Context, number: int) -> IncidentSnapshot:
    """One incident by number."""
    with ctx.db.read() as session:
        return snapshot(load_by_number(session, number))


def list_incidents(
    ctx: Context, *, open_only: bool = False, limit: int = 50, before_number: int | None = None
) -> list[IncidentSnapshot]:
    """Incidents, newest first, paginated by number (keyset): pass the last number seen as `before_number`."""
    query = _page_query(open_only=open_only, after=before_number is not None)
    params: dict[str, Any] = {"limit": limit}
    if before_number is not None:
        params["before"] = before_number
    with ctx.db.read() as session:
        rows = session.connection().execute(query, params).all()
    roles: dict[int, dict[str, str]] = {}
    first: dict[int, Any] = {}
    for row in rows:
        first.setdefault(row[0], row)
        if row[-2] is not None:
            roles.setdefault(row[0], {})[row[-2]] = row[-1]
    return [_snapshot_of_row(row, roles.get(incident_id, {})) for incident_id, row in first.items()]


@functools.cache
def _page_query(*, open_only: bool, after: bool) -> Select[Any]:
    """One page of incidents with their roles joined (a row per role), newest first; limit and the keyset
    cursor are bound parameters, so each of the four shapes is built and compiled once."""
    page = select(Incident.id).order_by(Incident.number.desc()).limit(bindparam("limit"))
    if open_only:
        page = page.where(Incident.status.in_([Status.INVESTIGATING.value, Status.MITIGATED.value]))
    if after:
        page = page.where(Incident.number < bindparam("before"))
    columns = [Incident.__table__.c[name] for name in (*_SNAPSHOT_COLUMNS, "status")]
    return (
        select(*columns, RoleAssignment.role.label("role_name"), RoleAssignment.user_id.label("role_user"))
        .outerjoin(RoleAssignment, RoleAssignment.incident_id == Incident.id)
        .where(Incident.id.in_(page.scalar_subquery()))
        .order_by(Incident.number.desc(), RoleAssignment.id)
    )


def _snapshot_of_row(row: Any, roles: dict[str, str]) -> IncidentSnapshot:
    """A snapshot from a row of (the _SNAPSHOT_COLUMNS, status, role, user)."""
    fields = dict(zip(_SNAPSHOT_COLUMNS, row, strict=False))
    return IncidentSnapshot(**fields, status=Status(row[len(_SNAPSHOT_COLUMNS)]), roles=roles)


_SNAPSHOT_COLUMNS = (
    "id",
    "number",
    "title",
    "severity",
    "declared_by",
    "declared_from",
    "declared_at",
    "description",
    "customer_impact",
    "mitigated_at",
    "resolved_at",
    "closed_at",
    "channel_id",
    "channel_name",
    "kickoff_ts",
    "announcement_channel_id",
    "announcement_ts",
    "last_update_at",
    "next_update_due_at",
    "missed_updates",
    "detected_at",
    "impact_started_at",
    "service",
    "acknowledged_at",
)
