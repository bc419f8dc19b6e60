"""On-call and people: calendar feed secrets (hashed), handoff DMs sent, people's Slack time zones.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _moment(name: str, *, nullable: bool = False) -> sa.Column[sa.DateTime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "oncall_ical_feeds",
        sa.Column("schedule", sa.String(length=60), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        _moment("rotated_at"),
        sa.PrimaryKeyConstraint("schedule", name=op.f("pk_oncall_ical_feeds")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_oncall_ical_feeds_secret_sha256")),
    )
    op.create_table(
        "oncall_handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule", sa.String(length=60), nullable=False),
        _moment("at"),
        sa.Column("user_id", sa.String(length=320), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        _moment("sent_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oncall_handoffs")),
        sa.UniqueConstraint(
            "schedule", "at", "user_id", "direction", name=op.f("uq_oncall_handoffs_schedule_at_user_id_direction")
        ),
    )
    op.create_table(
        "people_time_zones",
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        _moment("checked_at"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_people_time_zones")),
    )


def downgrade() -> None:
    op.drop_table("people_time_zones")
    op.drop_table("oncall_handoffs")
    op.drop_table("oncall_ical_feeds")
