"""Typed models for the public status page: public incidents and their updates (drafted, approved, published),
scheduled maintenance of components, and one revision counter that tells every process's cache the page changed.

Nothing reaches the public page unless an update was published: drafts and rejected updates stay here, and an
incident's own title never does (a status incident carries its own public title).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from firebell.store.models import Base

_OPEN = "resolved_at IS NULL"
_DRAFT = "state = 'draft'"


class StatusIncident(Base):
    """An incident as the public sees it: its public title and status, from its published updates.

    Created with its first draft; shown on the page from `published_at` (its first published update) on.
    `next_update_due_at` is the public cadence's due point (an indexed column, claimed with a compare-and-set on
    `revision`, as the internal cadence is); `reminder_misses` counts consecutive public updates missed.
    """

    __tablename__ = "status_incidents"
    __table_args__ = (
        Index("ix_status_incidents_due", "next_update_due_at", sqlite_where=text(_OPEN), postgresql_where=text(_OPEN)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True)  # in public URLs; says nothing about the incident
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(String(200))  # the public title, asked for; never the incident's own
    status: Mapped[str] = mapped_column(String(16))  # PublicStatus of the latest published update
    impact: Mapped[str] = mapped_column(String(16), default="none")  # Indicator: the worst it has been
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    updated_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    next_update_due_at: Mapped[datetime | None]
    reminder_misses: Mapped[int] = mapped_column(Integer, default=0)
    revision: Mapped[int] = mapped_column(Integer, default=0)


class StatusUpdate(Base):
    """One public update: drafted by anyone in the war room, published by the IC (directly or by approving).

    `components` maps component slugs to their ComponentStatus while this update is the latest; `state` is draft,
    published, rejected or superseded (a newer draft replaced it before anyone decided).
    """

    __tablename__ = "status_updates"
    __table_args__ = (
        Index(
            "ix_status_updates_drafts", "status_incident_id", sqlite_where=text(_DRAFT), postgresql_where=text(_DRAFT)
        ),
        Index("ix_status_updates_incident_published", "status_incident_id", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status_incident_id: Mapped[int] = mapped_column(ForeignKey("status_incidents.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(16))  # PublicStatus
    body: Mapped[str] = mapped_column(Text)
    components: Mapped[dict[str, Any]] = mapped_column(JSON)  # slug -> ComponentStatus value
    drafted_by: Mapped[str] = mapped_column(String(40))
    drafted_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]


class StatusMaintenance(Base):
    """Scheduled maintenance of components: shown ahead of time, in progress inside its window, then completed.

    Its status follows the clock (domain/status_page); `cancelled_at` ends it early or calls it off.
    """

    __tablename__ = "status_maintenances"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    components: Mapped[list[str]] = mapped_column(JSON)  # component slugs
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column(index=True)
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    cancelled_by: Mapped[str | None] = mapped_column(String(40))


class StatusPageRevision(Base):
    """One row: bumped in every transaction that changes what the public page shows, so each process's cached
    render knows with one primary-key read that it is stale."""

    __tablename__ = "status_page_revision"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    revision: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime]
