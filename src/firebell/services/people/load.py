"""A person's on-call load since a moment: every page notification (and whether it fell outside their working
hours, in their own Slack time zone), every answer to a page, every time they became Incident Commander."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from firebell.domain.oncall.working_hours import within_hours
from firebell.domain.timeline import EventKind
from firebell.services.context import Context
from firebell.services.people.time_zones import time_zone_of
from firebell.store.models import Incident, PageNotification, PageResponse, RoleAssignment, TimelineEvent


@dataclass(frozen=True)
class NotificationLoad:
    """One notification of a page."""

    at: datetime
    incident: int
    page_id: int
    via: str
    outcome: str
    outside_working_hours: bool


@dataclass(frozen=True)
class ResponseLoad:
    """One answer to a page: acknowledge, cant or escalate."""

    at: datetime
    incident: int
    page_id: int
    kind: str


@dataclass(frozen=True)
class CommandLoad:
    """Becoming the Incident Commander of an incident."""

    at: datetime
    incident: int


@dataclass(frozen=True)
class PersonLoad:
    """What a person carried since `since`; `time_zone` None: unknown, working hours read in UTC."""

    user: str
    since: datetime
    until: datetime
    time_zone: str | None
    working_hours: str
    notifications: list[NotificationLoad]
    responses: list[ResponseLoad]
    commander: list[CommandLoad]
    counts: dict[str, int] = field(default_factory=dict)


def person_load(ctx: Context, user: str, since: datetime) -> PersonLoad:
    """Everything `user` was paged for, answered and commanded from `since` to now."""
    now = ctx.clock()
    zone_name = time_zone_of(ctx, user)
    zone = ZoneInfo(zone_name) if zone_name else ZoneInfo("UTC")
    hours = ctx.policy.oncall.paging.working()
    with ctx.db.read() as session:
        notified = session.execute(
            select(PageNotification, Incident.number)
            .join(Incident, Incident.id == PageNotification.incident_id)
            .where(PageNotification.user_id == user, PageNotification.at >= since)
            .order_by(PageNotification.at, PageNotification.id)
        ).all()
        answered = session.execute(
            select(PageResponse, Incident.number)
            .join(Incident, Incident.id == PageResponse.incident_id)
            .where(PageResponse.user_id == user, PageResponse.at >= since)
            .order_by(PageResponse.at, PageResponse.id)
        ).all()
        commands = _commands(session, user, since)
    notifications = [
        NotificationLoad(n.at, number, n.page_id, n.via, n.outcome, not within_hours(n.at, hours, zone))
        for n, number in notified
    ]
    responses = [ResponseLoad(r.at, number, r.page_id, r.kind) for r, number in answered]
    kinds = Counter(r.kind for r in responses)
    counts = {
        "notifications": len(notifications),
        "outside_working_hours": sum(n.outside_working_hours for n in notifications),
        "acknowledgements": kinds["acknowledge"],
        "cant": kinds["cant"],
        "escalations": kinds["escalate"],
        "commander_assignments": len(commands),
    }
    return PersonLoad(
        user=user,
        since=since.astimezone(UTC),
        until=now,
        time_zone=zone_name,
        working_hours=ctx.policy.oncall.paging.working_hours,
        notifications=notifications,
        responses=responses,
        commander=commands,
        counts=counts,
    )


def _commands(session: Session, user: str, since: datetime) -> list[CommandLoad]:
    """Command given to `user`: at a declare, by a hand-over or take-over (timeline), and held now (roles: the
    row of whoever holds command, in case an older incident's events say less)."""
    events = session.execute(
        select(TimelineEvent.at, Incident.number, TimelineEvent.incident_id)
        .join(Incident, Incident.id == TimelineEvent.incident_id)
        .where(
            TimelineEvent.at >= since,
            or_(
                and_(
                    TimelineEvent.kind == EventKind.COMMANDER_CHANGED.value,
                    TimelineEvent.data["user"].as_string() == user,
                ),
                and_(
                    TimelineEvent.kind == EventKind.DECLARED.value,
                    TimelineEvent.data["commander"].as_string() == user,
                ),
            ),
        )
    ).all()
    held = session.execute(
        select(RoleAssignment.assigned_at, Incident.number, RoleAssignment.incident_id)
        .join(Incident, Incident.id == RoleAssignment.incident_id)
        .where(RoleAssignment.role == "commander", RoleAssignment.user_id == user, RoleAssignment.assigned_at >= since)
    ).all()
    seen = {(incident_id, at): number for at, number, incident_id in [*events, *held]}
    return sorted((CommandLoad(at, number) for (_, at), number in seen.items()), key=lambda c: (c.at, c.incident))
