"""On-call: a lock row per schedule, rotation anchors per layer, overrides (kept after removal), e-mails resolved.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _moment(name: str, *, nullable: bool = False) -> sa.Column[sa.DateTime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "oncall_schedules",
        sa.Column("name", sa.String(length=60), nullable=False),
        _moment("created_at"),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_oncall_schedules")),
    )
    op.create_table(
        "oncall_anchors",
        sa.Column("schedule", sa.String(length=60), nullable=False),
        sa.Column("layer", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("cell", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=320), nullable=False),
        sa.Column("next_index", sa.Integer(), nullable=False),
        _moment("updated_at"),
        sa.PrimaryKeyConstraint("schedule", "layer", name=op.f("pk_oncall_anchors")),
    )
    op.create_table(
        "oncall_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule", sa.String(length=60), nullable=False),
        sa.Column("user_id", sa.String(length=320), nullable=False),
        _moment("starts_at"),
        _moment("ends_at"),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        _moment("created_at"),
        sa.Column("removed_by", sa.String(length=320), nullable=True),
        _moment("removed_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oncall_overrides")),
    )
    with op.batch_alter_table("oncall_overrides", schema=None) as batch_op:
        batch_op.create_index("ix_oncall_overrides_schedule_ends_at", ["schedule", "ends_at"], unique=False)
    op.create_table(
        "oncall_emails",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=True),
        _moment("checked_at"),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_oncall_emails")),
    )


def downgrade() -> None:
    op.drop_table("oncall_emails")
    with op.batch_alter_table("oncall_overrides", schema=None) as batch_op:
        batch_op.drop_index("ix_oncall_overrides_schedule_ends_at")
    op.drop_table("oncall_overrides")
    op.drop_table("oncall_anchors")
    op.drop_table("oncall_schedules")
