"""Typed models for pages: each page's whole escalation schedule is data here, claimed like cadence due points,
so restarts continue every page where it was and several processes never notify anyone twice."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from firebell.store.models import Base

_ACTIVE = "status = 'active'"


class Page(Base):
    """One page of an incident: who it aims at, where it stands in its escalation, and who took it.

    The position (`round`, `step`, reached at `step_since`) is the last step reached; `notified` says whether its
    people were told yet (False on a new page, and on a page held by maintenance). `next_due_at` is when the
    scheduler looks again; every write is a compare-and-set on `revision`.
    """

    __tablename__ = "pages"
    __table_args__ = (Index("ix_pages_due", "next_due_at", sqlite_where=text(_ACTIVE), postgresql_where=text(_ACTIVE)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(400))  # service:x, policy:x, schedule:x or user:U…
    service: Mapped[str | None] = mapped_column(String(60))
    policy: Mapped[str | None] = mapped_column(String(60))  # the escalation policy the position counts in
    reason: Mapped[str | None] = mapped_column(Text)
    paged_by: Mapped[str | None] = mapped_column(String(40))  # None: automatic (a declare or an alert)
    commanders: Mapped[bool] = mapped_column(default=False)  # whoever acknowledges becomes the IC
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))
    # A new run through the escalation (its policy changed, or paging resumed after maintenance) counts up, so its
    # steps are told afresh: notifications and DM effects are keyed by (epoch, round, step, person).
    epoch: Mapped[int] = mapped_column(Integer, default=0)
    round: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[int] = mapped_column(Integer, default=0)
    step_since: Mapped[datetime]
    notified: Mapped[bool] = mapped_column(default=False)
    held_until: Mapped[datetime | None]  # paging held by a maintenance window until then
    next_due_at: Mapped[datetime | None]
    revision: Mapped[int] = mapped_column(Integer, default=0)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(40))
    ended_at: Mapped[datetime | None]


class PageNotification(Base):
    """One person told of a page at one step: the record of who was woken when (people's load reads it)."""

    __tablename__ = "page_notifications"
    __table_args__ = (
        UniqueConstraint("page_id", "epoch", "round", "step", "user_id"),
        Index("ix_page_notifications_user_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(40))
    epoch: Mapped[int] = mapped_column(Integer, default=0)
    round: Mapped[int] = mapped_column(Integer)
    step: Mapped[int] = mapped_column(Integer)
    via: Mapped[str] = mapped_column(String(200))  # the target that reached them: schedule:x or user:U…
    at: Mapped[datetime]
    # queued, then sent or unreachable (Slack refused the DM: deactivated, cannot_dm_bot, ...)
    outcome: Mapped[str] = mapped_column(String(16), default="queued")
    error: Mapped[str | None] = mapped_column(String(120))
    # Where the DM went once sent, so it can be edited when the page is over (someone acknowledged, or resolved).
    dm_channel: Mapped[str | None] = mapped_column(String(20))
    dm_ts: Mapped[str | None] = mapped_column(String(32))


class PageResponse(Base):
    """Someone answered a page: acknowledged, couldn't, or escalated it by hand. Logged once per person and kind
    for acknowledgements; every escalation by hand is kept."""

    __tablename__ = "page_responses"
    __table_args__ = (Index("ix_page_responses_user_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))  # acknowledge, cant, escalate
    at: Mapped[datetime]
    # "acknowledge:<page>:<user>" so a second press is not a second acknowledgement; escalations: unique per press
    once_key: Mapped[str] = mapped_column(String(120), unique=True)
