"""Typed models for alerts: each occurrence of an alert, the groups they form, and the groups' locks."""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from firebell.store.models import Base

_FIRING = "status = 'firing'"


class AlertGroupKey(Base):
    """One row per (source, hash of a sender group key) and per (source, hash of a service): which group it
    leads to now, and the point concurrent ingests serialise on.

    An ingest inserts its rows if missing (ON CONFLICT DO NOTHING) and locks them (SELECT ... FOR UPDATE) before
    it looks for a group, so two replicas receiving the same group at once make one group, not two.
    """

    __tablename__ = "alert_group_keys"

    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("alert_groups.id", ondelete="SET NULL"))


class AlertGroup(Base):
    """Alerts that belong together (one sender group, or one service within the grouping window) and what
    was decided about them: declared, attached to an incident, declined or acknowledged."""

    __tablename__ = "alert_groups"
    __table_args__ = (
        Index("ix_alert_groups_status_id", "status", "id"),
        Index("ix_alert_groups_source_alert_set", "source", "alert_set"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    group_key: Mapped[str] = mapped_column(Text)
    group_key_hash: Mapped[str] = mapped_column(String(64))  # of the key that opened it
    service: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12))  # open | closed
    severity: Mapped[str | None] = mapped_column(String(20))  # the most severe mapped severity seen while open
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"), index=True)
    # Triage: declared | attached | declined | acknowledged, why (declines: noise, duplicate, expected, known), who, when.
    decision: Mapped[str | None] = mapped_column(String(20))
    decision_reason: Mapped[str | None] = mapped_column(String(200))
    decided_by: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(String(500))  # what the decliner added to the reason
    # The set of alert names a decision was about (a hash), so declines of alike groups are counted together.
    alert_set: Mapped[str | None] = mapped_column(String(64))
    # Where the group's triage message lives in Slack, once posted (edited in place afterwards).
    triage_channel_id: Mapped[str | None] = mapped_column(String(40))
    triage_ts: Mapped[str | None] = mapped_column(String(40))
    # What the sender says about itself, as of its last request.
    truncated_alerts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    notification_reason: Mapped[str | None] = mapped_column(String(200))
    external_url: Mapped[str | None] = mapped_column(String(2000))
    title: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]  # the last request that touched it: the grouping window counts from here
    closed_at: Mapped[datetime | None]


class Alert(Base):
    """One occurrence of an alert: firing until resolved; firing again after that is a new occurrence,
    linked to the one before. At most one firing occurrence per (source, fingerprint)."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index(
            "uq_alerts_firing_fingerprint",
            "source",
            "fingerprint",
            unique=True,
            sqlite_where=text(_FIRING),
            postgresql_where=text(_FIRING),
        ),
        Index("ix_alerts_source_fingerprint", "source", "fingerprint", "occurrence"),
        Index("ix_alerts_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    fingerprint: Mapped[str] = mapped_column(String(255))
    occurrence: Mapped[int] = mapped_column(Integer)  # 1, 2, ...: how many times this alert has fired
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12))  # firing | resolved
    name: Mapped[str] = mapped_column(String(500))
    labels: Mapped[dict[str, Any]]
    annotations: Mapped[dict[str, Any]]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    deliveries: Mapped[int] = mapped_column(Integer, default=1)
    group_id: Mapped[int] = mapped_column(ForeignKey("alert_groups.id", ondelete="CASCADE"), index=True)
    generator_url: Mapped[str | None] = mapped_column(Text)
    silence_url: Mapped[str | None] = mapped_column(Text)
    dashboard_url: Mapped[str | None] = mapped_column(Text)
