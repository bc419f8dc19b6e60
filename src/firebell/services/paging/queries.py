"""Reading pages back: each with who it notified and who answered (the REST API's `/pages`)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from firebell.domain.errors import IncidentNotFound
from firebell.domain.naming import incident_label
from firebell.domain.paging import PageStatus
from firebell.services.context import Context
from firebell.store.models import Incident
from firebell.store.paging_models import Page, PageNotification, PageResponse


@dataclass(frozen=True)
class NotificationView:
    """One person told of a page at one step (round and step counted from 1)."""

    user: str
    at: datetime
    round: int
    step: int
    via: str
    outcome: str


@dataclass(frozen=True)
class ResponseView:
    """Someone answered: acknowledge, cant or escalate."""

    user: str
    kind: str
    at: datetime


@dataclass(frozen=True)
class PageView:
    """A page as it stands, with its record."""

    id: int
    incident: int
    target: str
    service: str | None
    escalation_policy: str | None
    reason: str | None
    paged_by: str | None
    created_at: datetime
    status: PageStatus
    round: int
    step: int
    next_escalation_at: datetime | None
    held_until: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    ended_at: datetime | None
    notifications: tuple[NotificationView, ...]
    responses: tuple[ResponseView, ...]


def list_pages(ctx: Context, *, incident: int | None = None, limit: int = 100) -> list[PageView]:
    """The pages of incident number `incident`, oldest first; without one, the pages still escalating or
    unanswered (newest first). IncidentNotFound for a number no incident has."""
    with ctx.db.read() as session:
        query = select(Page, Incident.number).join(Incident, Incident.id == Page.incident_id)
        if incident is not None:
            if session.scalar(select(Incident.id).where(Incident.number == incident)) is None:
                raise IncidentNotFound(f"No incident {incident_label(incident)}.")
            query = query.where(Incident.number == incident).order_by(Page.id)
        else:
            waiting = (PageStatus.ACTIVE.value, PageStatus.EXHAUSTED.value)
            query = query.where(Page.status.in_(waiting), Page.ended_at.is_(None)).order_by(Page.id.desc())
        rows = session.execute(query.limit(limit)).all()
        ids = [page.id for page, _ in rows]
        told = session.scalars(
            select(PageNotification).where(PageNotification.page_id.in_(ids)).order_by(PageNotification.id)
        ).all()
        answered = session.scalars(
            select(PageResponse).where(PageResponse.page_id.in_(ids)).order_by(PageResponse.id)
        ).all()
    return [
        PageView(
            id=page.id,
            incident=number,
            target=page.target,
            service=page.service,
            escalation_policy=page.policy,
            reason=page.reason,
            paged_by=page.paged_by,
            created_at=page.created_at,
            status=PageStatus(page.status),
            round=page.round + 1,
            step=page.step + 1,
            next_escalation_at=page.next_due_at if page.status == PageStatus.ACTIVE.value else None,
            held_until=page.held_until,
            acknowledged_at=page.acknowledged_at,
            acknowledged_by=page.acknowledged_by,
            ended_at=page.ended_at,
            notifications=tuple(
                NotificationView(n.user_id, n.at, n.round + 1, n.step + 1, n.via, n.outcome)
                for n in told
                if n.page_id == page.id
            ),
            responses=tuple(ResponseView(r.user_id, r.kind, r.at) for r in answered if r.page_id == page.id),
        )
        for page, number in rows
    ]
