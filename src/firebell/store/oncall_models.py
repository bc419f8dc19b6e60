"""Typed models for on-call schedules: a lock row per schedule, where each rotation layer stands (its anchor),
and overrides, which are data, not config (kept after removal, with who made and removed them)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from firebell.store.models import Base


class OncallSchedule(Base):
    """One row per schedule named in the policy: the point that reanchoring and new overrides of that schedule
    serialise on (SELECT ... FOR UPDATE), so two processes never reanchor twice and two people adding
    overlapping overrides at the same moment cannot both succeed."""

    __tablename__ = "oncall_schedules"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    created_at: Mapped[datetime]


class OncallAnchor(Base):
    """Where layer `layer` of a schedule stands: cell `cell` of its grid is `user_id`'s, later turns go on from
    members[next_index]. `config` is the layer as last seen (with the schedule's time zone), so a changed layer
    can be rebuilt and reanchored from it; `fingerprint` tells whether the policy's layer has changed."""

    __tablename__ = "oncall_anchors"

    schedule: Mapped[str] = mapped_column(String(60), primary_key=True)
    layer: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    config: Mapped[dict[str, Any]]
    cell: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[str] = mapped_column(String(320))  # a Slack user id or an e-mail, as the policy wrote it
    next_index: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]


class OncallOverride(Base):
    """`user_id` is on call for `schedule` in [starts_at, ends_at) instead of the rotation; removal keeps the row."""

    __tablename__ = "oncall_overrides"
    __table_args__ = (Index("ix_oncall_overrides_schedule_ends_at", "schedule", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule: Mapped[str] = mapped_column(String(60))
    user_id: Mapped[str] = mapped_column(String(320))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime]
    removed_by: Mapped[str | None] = mapped_column(String(320))
    removed_at: Mapped[datetime | None]


class OncallEmail(Base):
    """A member written as an e-mail, and the Slack user id users.lookupByEmail gave for it (None: Slack has no
    such user; asked again at the next start)."""

    __tablename__ = "oncall_emails"

    email: Mapped[str] = mapped_column(String(320), primary_key=True)  # lowercased
    user_id: Mapped[str | None] = mapped_column(String(40))
    checked_at: Mapped[datetime]


class OncallTemporary(Base):
    """A temporary schedule: over [starts_at, ends_at) only its `shifts` count for `schedule` (gaps: nobody),
    replacing the rotation, e.g. for a holiday or a launch week. Removal keeps the row, with who removed it.
    `shifts` is a list of {"start", "end" (RFC 3339), "users" [Slack user ids]}."""

    __tablename__ = "oncall_temporaries"
    __table_args__ = (Index("ix_oncall_temporaries_schedule_ends_at", "schedule", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule: Mapped[str] = mapped_column(String(60))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    shifts: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime]
    removed_by: Mapped[str | None] = mapped_column(String(320))
    removed_at: Mapped[datetime | None]


class MaintenanceWindow(Base):
    """`service` is in maintenance over [starts_at, ends_at): alerts and declares are recorded, nobody is paged.
    Ending one early moves `ends_at` to that moment and records who ended it (`ended_by`)."""

    __tablename__ = "maintenance_windows"
    __table_args__ = (Index("ix_maintenance_windows_service_ends_at", "service", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service: Mapped[str] = mapped_column(String(60))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    planned_end: Mapped[datetime]  # ends_at as made, kept when it is ended early
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime]
    ended_by: Mapped[str | None] = mapped_column(String(320))
    ended_at: Mapped[datetime | None]
