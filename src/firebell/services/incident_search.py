"""Finding incidents by status, severity, service and declare time (the internal web view's list)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from firebell.domain.incident import IncidentSnapshot
from firebell.domain.lifecycle import Status
from firebell.services.context import Context
from firebell.services.incidents import snapshot
from firebell.store.models import Incident


@dataclass(frozen=True)
class IncidentFilter:
    """Which incidents to list; an empty field matches every incident."""

    statuses: tuple[Status, ...] = ()
    severity: str | None = None
    service: str | None = None
    declared_from: datetime | None = None  # inclusive
    declared_to: datetime | None = None  # exclusive


def search_incidents(
    ctx: Context, where: IncidentFilter, *, limit: int = 50, before_number: int | None = None
) -> list[IncidentSnapshot]:
    """Incidents matching `where`, newest first, paginated by number (keyset): pass the last number seen."""
    query = select(Incident).options(selectinload(Incident.roles)).order_by(Incident.number.desc()).limit(limit)
    if where.statuses:
        query = query.where(Incident.status.in_([status.value for status in where.statuses]))
    if where.severity is not None:
        query = query.where(Incident.severity == where.severity)
    if where.service is not None:
        query = query.where(Incident.service == where.service)
    if where.declared_from is not None:
        query = query.where(Incident.declared_at >= where.declared_from)
    if where.declared_to is not None:
        query = query.where(Incident.declared_at < where.declared_to)
    if before_number is not None:
        query = query.where(Incident.number < before_number)
    with ctx.db.read() as session:
        return [snapshot(incident) for incident in session.scalars(query)]
