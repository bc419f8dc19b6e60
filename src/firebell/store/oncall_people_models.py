"""Typed models for what on-call keeps about people and feeds: each schedule's calendar feed secret (hashed), the
handoff DMs sent (so each is sent once across processes and restarts), and people's Slack time zones."""

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from firebell.store.models import Base


class IcalFeed(Base):
    """The calendar feed of a schedule: the sha256 of its secret (the secret itself is shown once, never kept),
    so a copy of the database does not open anyone's feed. Rotating replaces the row's digest."""

    __tablename__ = "oncall_ical_feeds"

    schedule: Mapped[str] = mapped_column(String(60), primary_key=True)
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    rotated_at: Mapped[datetime]


class HandoffSent(Base):
    """A handoff DM claimed: `user_id` came on call (`in`) or went off (`out`) for `schedule` at `at`. Unique,
    so whichever process inserts it first is the one that queues the DM."""

    __tablename__ = "oncall_handoffs"
    __table_args__ = (UniqueConstraint("schedule", "at", "user_id", "direction"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule: Mapped[str] = mapped_column(String(60))
    at: Mapped[datetime]
    user_id: Mapped[str] = mapped_column(String(320))
    direction: Mapped[str] = mapped_column(String(3))  # in, out
    sent_at: Mapped[datetime]


class PersonTimeZone(Base):
    """A person's Slack time zone (users.info `tz`), None when Slack had none or could not name a valid one."""

    __tablename__ = "people_time_zones"

    user_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    time_zone: Mapped[str | None] = mapped_column(String(64))
    checked_at: Mapped[datetime]
