"""Runbook checklists posted in war rooms, and their completed steps.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "runbook_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=True),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("posted_by", sa.String(length=40), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_ts", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_runbook_runs_incident_id_incidents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runbook_runs")),
    )
    with op.batch_alter_table("runbook_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_runbook_runs_incident_id"), ["incident_id"], unique=False)
    op.create_table(
        "runbook_steps_done",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("done_by", sa.String(length=40), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runbook_runs.id"], name=op.f("fk_runbook_steps_done_run_id_runbook_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runbook_steps_done")),
        sa.UniqueConstraint("run_id", "step", name=op.f("uq_runbook_steps_done_run_id_step")),
    )


def downgrade() -> None:
    op.drop_table("runbook_steps_done")
    with op.batch_alter_table("runbook_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_runbook_runs_incident_id"))
    op.drop_table("runbook_runs")
