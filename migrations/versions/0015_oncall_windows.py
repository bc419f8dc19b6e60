"""On-call windows: temporary schedules (replacing a schedule's rotation for a while) and services' maintenance
windows (nobody paged), each kept with who made it and who removed or ended it.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _moment(name: str, *, nullable: bool = False) -> sa.Column[sa.DateTime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "oncall_temporaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule", sa.String(length=60), nullable=False),
        _moment("starts_at"),
        _moment("ends_at"),
        sa.Column("shifts", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        _moment("created_at"),
        sa.Column("removed_by", sa.String(length=320), nullable=True),
        _moment("removed_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oncall_temporaries")),
    )
    with op.batch_alter_table("oncall_temporaries", schema=None) as batch_op:
        batch_op.create_index("ix_oncall_temporaries_schedule_ends_at", ["schedule", "ends_at"], unique=False)
    op.create_table(
        "maintenance_windows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=60), nullable=False),
        _moment("starts_at"),
        _moment("ends_at"),
        _moment("planned_end"),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        _moment("created_at"),
        sa.Column("ended_by", sa.String(length=320), nullable=True),
        _moment("ended_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_windows")),
    )
    with op.batch_alter_table("maintenance_windows", schema=None) as batch_op:
        batch_op.create_index("ix_maintenance_windows_service_ends_at", ["service", "ends_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("maintenance_windows", schema=None) as batch_op:
        batch_op.drop_index("ix_maintenance_windows_service_ends_at")
    op.drop_table("maintenance_windows")
    with op.batch_alter_table("oncall_temporaries", schema=None) as batch_op:
        batch_op.drop_index("ix_oncall_temporaries_schedule_ends_at")
    op.drop_table("oncall_temporaries")
