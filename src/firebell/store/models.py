"""Typed SQLAlchemy models. Alembic migrations (top-level `migrations/`) are what create the schema."""

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


SQLITE_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # what SQLAlchemy's SQLite DateTime writes


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database.

    PostgreSQL stores timestamptz. SQLite stores naive UTC text in SQLAlchemy's own format (so values
    sort and compare as text); it is read with datetime.fromisoformat, several times faster than the
    generic regex parser, which matters when a postmortem reads tens of thousands of events.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(26))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None).strftime(SQLITE_DATETIME_FORMAT) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite: naive UTC text (one C call, cheaper than parse + replace)
            return datetime.fromisoformat(value + "+00:00")
        moment: datetime = value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention, so migrations name things predictably."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class Counter(Base):
    """Named sequences (incident numbers) that work the same on SQLite and PostgreSQL."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class Incident(Base):
    """An incident: what happened, how bad, where it stands, and where it lives in Slack."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    customer_impact: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    declared_by: Mapped[str | None] = mapped_column(String(40))  # None: declared by an alert source's rule
    declared_from: Mapped[str | None] = mapped_column(String(40))  # that alert source's name
    declared_at: Mapped[datetime]
    # When it was first seen (the earliest startsAt of its alerts, or when a person declared it) and when customers
    # were first affected (None: taken to be the detection time until someone says otherwise).
    detected_at: Mapped[datetime | None]
    impact_started_at: Mapped[datetime | None]
    mitigated_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    channel_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    channel_name: Mapped[str | None] = mapped_column(String(80))
    kickoff_ts: Mapped[str | None] = mapped_column(String(40))
    announcement_channel_id: Mapped[str | None] = mapped_column(String(40))
    announcement_ts: Mapped[str | None] = mapped_column(String(40))
    # The communication cadence: the schedule is this data, so restarts and replicas share it.
    last_update_at: Mapped[datetime]
    next_update_due_at: Mapped[datetime | None] = mapped_column(index=True)
    missed_updates: Mapped[int] = mapped_column(default=0, server_default="0")
    # The last alert timeline event (firing/resolved) the war room was told about in a coalesced note.
    alerts_noted_through: Mapped[int | None]
    # The service affected (a name from the policy's `services`): its escalation policy is paged.
    service: Mapped[str | None] = mapped_column(String(60))
    # The first acknowledgement of its first page (time to acknowledge, MTTA, counts from declared_at).
    acknowledged_at: Mapped[datetime | None]

    roles: Mapped[list["RoleAssignment"]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", lazy="selectin", order_by="RoleAssignment.id"
    )


class RoleAssignment(Base):
    """Who holds a role (commander, deputy, scribe, ...) in an incident right now."""

    __tablename__ = "incident_roles"
    __table_args__ = (UniqueConstraint("incident_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[str] = mapped_column(String(40))
    assigned_at: Mapped[datetime]

    incident: Mapped[Incident] = relationship(back_populates="roles")


class TimelineEvent(Base):
    """One thing that happened, written only by `services.timeline.record_event`."""

    __tablename__ = "timeline_events"
    __table_args__ = (
        UniqueConstraint("incident_id", "source_key"),
        Index("ix_timeline_events_incident_at", "incident_id", "at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None]
    # Deduplicates events that come from outside (a pinned Slack message), so a retry cannot copy twice.
    source_key: Mapped[str | None] = mapped_column(String(120))


_PENDING = "status = 'pending'"


class Effect(Base):
    """The outbox: a Slack effect a use case committed, delivered (and retried) by the gateway."""

    __tablename__ = "effects"
    __table_args__ = (
        # The gateway's queries only ever look at pending rows: partial indexes keep them small.
        Index("ix_effects_pending", "id", sqlite_where=text(_PENDING), postgresql_where=text(_PENDING)),
        Index("ix_effects_pending_lane", "lane", "id", sqlite_where=text(_PENDING), postgresql_where=text(_PENDING)),
        # Claims take urgent work first: the pending rows in (urgency, id) order.
        Index(
            "ix_effects_pending_urgency", "urgency", "id", sqlite_where=text(_PENDING), postgresql_where=text(_PENDING)
        ),
        # A coalesced effect looks up its lane's last effect, done or not (services/effects.enqueue_coalesced).
        Index("ix_effects_lane_id", "lane", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    lane: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]]
    # The incident column an earlier effect must fill in first (channel_id, kickoff_ts, announcement_ts).
    needs: Mapped[str | None] = mapped_column(String(20))
    # 0: someone waits for it or must be told now (the war room, answers, reminders); 1: the rest of what
    # people see (invitations, the announcement); 2: set-up that can wait (topic, pin, bookmark, edits).
    # Claims serve lower first; within a lane, order is by id.
    urgency: Mapped[int] = mapped_column(SmallInteger, default=0, server_default=text("0"))
    idem_key: Mapped[str] = mapped_column(String(160), unique=True)
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(default=0)
    # True once an attempt may have reached Slack without us seeing the answer: check before redoing.
    uncertain: Mapped[bool] = mapped_column(default=False)
    next_attempt_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(60))
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]


class Postmortem(Base):
    """An incident's postmortem: the sections people wrote, and the last draft Firebell generated."""

    __tablename__ = "postmortems"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    summary: Mapped[str | None] = mapped_column(Text)
    contributing_factors: Mapped[str | None] = mapped_column(Text)
    lessons: Mapped[str | None] = mapped_column(Text)
    # (No impact start here: it is the incident's, `incidents.impact_started_at`, since migration 0012.)
    review_on: Mapped[date | None]
    edited_by: Mapped[str | None] = mapped_column(String(40))
    edited_at: Mapped[datetime | None]
    markdown: Mapped[str | None] = mapped_column(Text)
    generated_at: Mapped[datetime | None]
    # The file of the draft being posted now: recorded between upload and share, so a retry shares it
    # instead of uploading a second copy.
    file_id: Mapped[str | None] = mapped_column(String(40))
    file_effect_id: Mapped[int | None]
    file_permalink: Mapped[str | None] = mapped_column(String(500))


class ActionItem(Base):
    """Something to do so it does not happen again: owned, dated, followed up until done."""

    __tablename__ = "action_items"
    __table_args__ = (Index("ix_action_items_status_due", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(40), index=True)
    due_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(12))
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(40))
    last_nudged_on: Mapped[date | None]


class Person(Base):
    """A Slack user's name as Firebell last saw it, so drafts and the API can show names, not ids."""

    __tablename__ = "people"

    user_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]


class RunbookRun(Base):
    """A runbook posted in a war room as a checklist; its steps are copied so later edits of the file
    do not change a checklist people are working through."""

    __tablename__ = "runbook_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(255))
    owner: Mapped[str | None] = mapped_column(String(120))
    steps: Mapped[dict[str, Any]]
    posted_by: Mapped[str] = mapped_column(String(40))
    posted_at: Mapped[datetime]
    message_ts: Mapped[str | None] = mapped_column(String(40))


class RunbookStepDone(Base):
    """Who did a checklist step, and when (once per step)."""

    __tablename__ = "runbook_steps_done"
    __table_args__ = (UniqueConstraint("run_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runbook_runs.id", ondelete="CASCADE"))
    step: Mapped[int]
    done_by: Mapped[str] = mapped_column(String(40))
    done_at: Mapped[datetime]


class InboxEntry(Base):
    """The inbox: a request Slack handed us, recorded as it is acknowledged and carried out by a worker.

    The mirror of the outbox. `key` recognises a replay or a Slack retry (the request's trigger_id or
    event_id), so each request is recorded, and carried out, once. Entries of one `lane` (a war room, a
    declarer) are carried out one at a time in the order they came.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        Index("ix_inbox_pending", "id", sqlite_where=text(_PENDING), postgresql_where=text(_PENDING)),
        Index("ix_inbox_pending_lane", "lane", "id", sqlite_where=text(_PENDING), postgresql_where=text(_PENDING)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    lane: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(60))
    # Also "not before": a failed attempt sets it ahead to back off.
    claimed_until: Mapped[datetime | None]
    received_at: Mapped[datetime]
    done_at: Mapped[datetime | None] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))


# The alert tables live in their own module; importing it here registers them on Base.metadata for Alembic.
from firebell.store.alert_models import Alert, AlertGroup, AlertGroupKey  # noqa: E402
from firebell.store.oncall_models import (  # noqa: E402
    MaintenanceWindow,
    OncallAnchor,
    OncallEmail,
    OncallOverride,
    OncallSchedule,
    OncallTemporary,
)
from firebell.store.oncall_people_models import HandoffSent, IcalFeed, PersonTimeZone  # noqa: E402
from firebell.store.paging_models import Page, PageNotification, PageResponse  # noqa: E402
from firebell.store.status_models import (  # noqa: E402
    StatusIncident,
    StatusMaintenance,
    StatusPageRevision,
    StatusUpdate,
)
from firebell.store.statuspage_models import StatuspageLink  # noqa: E402

__all__ = [
    "Alert",
    "AlertGroup",
    "AlertGroupKey",
    "HandoffSent",
    "IcalFeed",
    "MaintenanceWindow",
    "OncallAnchor",
    "OncallEmail",
    "OncallOverride",
    "OncallSchedule",
    "OncallTemporary",
    "Page",
    "PageNotification",
    "PageResponse",
    "PersonTimeZone",
    "StatusIncident",
    "StatusMaintenance",
    "StatusPageRevision",
    "StatusUpdate",
    "StatuspageLink",
]
