"""An incident's pages as the postmortem tells them: read from the paging tables (pages, who was notified, who
answered), oldest first."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from firebell.domain.postmortem_paging import Notified, PageRecord, PagingRecord, Response
from firebell.store.paging_models import Page, PageNotification, PageResponse


def paging_record(session: Session, incident_id: int) -> PagingRecord:
    """Every page of the incident with its notifications and responses (three indexed queries)."""
    pages = list(session.scalars(select(Page).where(Page.incident_id == incident_id).order_by(Page.id)))
    if not pages:
        return PagingRecord()
    ids = [page.id for page in pages]  # page_id is indexed in both tables; incident_id is not
    notified: dict[int, list[Notified]] = {}
    for n in session.scalars(
        select(PageNotification).where(PageNotification.page_id.in_(ids)).order_by(PageNotification.id)
    ):
        notified.setdefault(n.page_id, []).append(
            Notified(user=n.user_id, at=n.at, round=n.round, step=n.step, via=n.via, outcome=n.outcome, error=n.error)
        )
    responses: dict[int, list[Response]] = {}
    for r in session.scalars(
        select(PageResponse).where(PageResponse.incident_id == incident_id).order_by(PageResponse.id)
    ):
        responses.setdefault(r.page_id, []).append(Response(user=r.user_id, kind=r.kind, at=r.at))
    return PagingRecord(
        pages=tuple(
            PageRecord(
                id=page.id,
                target=page.target,
                created_at=page.created_at,
                status=page.status,
                paged_by=page.paged_by,
                reason=page.reason,
                acknowledged_by=page.acknowledged_by,
                acknowledged_at=page.acknowledged_at,
                ended_at=page.ended_at,
                notified=tuple(notified.get(page.id, ())),
                responses=tuple(responses.get(page.id, ())),
            )
            for page in pages
        )
    )
