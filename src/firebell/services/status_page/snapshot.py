"""What the public status page is made from, read in three queries: published public incidents, their published
updates, and maintenance windows. Only what was published is read: never drafts, rejected or superseded updates,
never an incident's own title or any internal text (the incidents table is not touched at all)."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from firebell.domain.status_page.page import StatusPage, build_page
from firebell.domain.status_page.sources import Maintenance, PublicIncident, PublishedUpdate
from firebell.domain.status_page.vocabulary import ComponentStatus, PublicStatus
from firebell.services.context import Context
from firebell.store.models import StatusIncident, StatusMaintenance, StatusPageRevision, StatusUpdate


@dataclass(frozen=True)
class Snapshot:
    """The page's sources at one revision of the page."""

    revision: int
    changed_at: datetime  # when that revision was made
    incidents: tuple[PublicIncident, ...]
    maintenances: tuple[Maintenance, ...]

    def page(self, ctx: Context, now: datetime) -> StatusPage:
        """The page at `now` (pure: no database)."""
        return build_page(ctx.policy.status_page, self.incidents, self.maintenances, now)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _component_statuses(raw: dict[str, object]) -> dict[str, ComponentStatus]:
    statuses = {}
    for slug, value in raw.items():
        try:
            statuses[slug] = ComponentStatus(str(value))
        except ValueError:  # written by a newer version: left out rather than failing the page
            continue
    return statuses


def read_snapshot(ctx: Context) -> Snapshot:
    """The published incidents and updates and the maintenance windows, with the page revision they belong to
    (read first: a change committed meanwhile shows as a newer revision on the next check)."""
    with ctx.db.read() as session:
        revision_row = session.execute(
            select(StatusPageRevision.revision, StatusPageRevision.changed_at).where(StatusPageRevision.id == 1)
        ).one_or_none()
        heads = session.execute(
            select(StatusIncident.id, StatusIncident.public_id, StatusIncident.title, StatusIncident.impact).where(
                StatusIncident.published_at.is_not(None)
            )
        ).all()
        updates: dict[int, list[PublishedUpdate]] = {head.id: [] for head in heads}
        rows = session.execute(
            select(
                StatusUpdate.status_incident_id,
                StatusUpdate.published_at,
                StatusUpdate.status,
                StatusUpdate.body,
                StatusUpdate.components,
            )
            .where(StatusUpdate.state == "published", StatusUpdate.published_at.is_not(None))
            .order_by(StatusUpdate.status_incident_id, StatusUpdate.published_at, StatusUpdate.id)
        ).all()
        for row in rows:
            found = updates.get(row.status_incident_id)
            if found is None or row.published_at is None:
                continue
            found.append(
                PublishedUpdate(
                    number=len(found) + 1,
                    published_at=_utc(row.published_at),
                    status=PublicStatus(row.status),
                    body=row.body,
                    components=_component_statuses(row.components or {}),
                )
            )
        maintenances = tuple(
            Maintenance(
                public_id=m.public_id,
                title=m.title,
                body=m.body,
                components=tuple(m.components or ()),
                starts_at=_utc(m.starts_at),
                ends_at=_utc(m.ends_at),
                created_at=_utc(m.created_at),
                cancelled_at=_utc(m.cancelled_at) if m.cancelled_at is not None else None,
            )
            for m in session.scalars(select(StatusMaintenance))
        )
    incidents = tuple(
        PublicIncident(public_id=h.public_id, title=h.title, impact=h.impact, updates=tuple(updates[h.id]))
        for h in heads
        if updates[h.id]
    )
    revision, changed_at = revision_row if revision_row is not None else (0, datetime(1970, 1, 1, tzinfo=UTC))
    return Snapshot(int(revision), _utc(changed_at), incidents, maintenances)
