"""Outbox: an index on (lane, id) over every effect, so a coalesced effect finds its lane's last one.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("effects", schema=None) as batch_op:
        batch_op.create_index("ix_effects_lane_id", ["lane", "id"])


def downgrade() -> None:
    with op.batch_alter_table("effects", schema=None) as batch_op:
        batch_op.drop_index("ix_effects_lane_id")
