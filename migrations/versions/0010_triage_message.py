"""Alert triage: where a group's triage message lives, a decline's note, and what counts declines alike.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alert_groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("triage_channel_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("triage_ts", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("decision_note", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("alert_set", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_alert_groups_source_alert_set", ["source", "alert_set"])


def downgrade() -> None:
    with op.batch_alter_table("alert_groups", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_groups_source_alert_set")
        batch_op.drop_column("alert_set")
        batch_op.drop_column("decision_note")
        batch_op.drop_column("triage_ts")
        batch_op.drop_column("triage_channel_id")
