"""Communication cadence: last update, next update due (indexed), consecutive misses.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_update_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("next_update_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("missed_updates", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_index(batch_op.f("ix_incidents_next_update_due_at"), ["next_update_due_at"], unique=False)
    # Existing incidents: their last communication is their declaration (or their latest update); the
    # service schedules their next due point on start (services.cadence.schedule_unscheduled).
    op.execute(
        "UPDATE incidents SET last_update_at = COALESCE("
        "(SELECT MAX(t.at) FROM timeline_events t WHERE t.incident_id = incidents.id AND t.kind = 'update'),"
        " declared_at)"
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.alter_column("last_update_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_next_update_due_at"))
        batch_op.drop_column("missed_updates")
        batch_op.drop_column("next_update_due_at")
        batch_op.drop_column("last_update_at")
