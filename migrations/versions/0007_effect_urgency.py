"""Outbox: effects carry an urgency, so what people wait for is claimed before cosmetic set-up.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Set-up that can wait (2), and the rest of a declare people see (1); everything else is urgent (0).
_SETUP = (
    "sync_topic",
    "pin_kickoff",
    "sync_kickoff",
    "add_bookmark",
    "sync_announcement",
    "capture_pin",
    "post_postmortem",
    "dm",
)
_SOON = ("invite", "post_announcement")


def upgrade() -> None:
    with op.batch_alter_table("effects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("urgency", sa.SmallInteger(), server_default=sa.text("0"), nullable=False))
        batch_op.create_index(
            "ix_effects_pending_urgency",
            ["urgency", "id"],
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
    effects = sa.table("effects", sa.column("kind", sa.String), sa.column("status", sa.String), sa.column("urgency"))
    pending = effects.c.status == "pending"
    bind = op.get_bind()
    bind.execute(sa.update(effects).where(pending, effects.c.kind.in_(_SETUP)).values(urgency=2))
    bind.execute(sa.update(effects).where(pending, effects.c.kind.in_(_SOON)).values(urgency=1))


def downgrade() -> None:
    with op.batch_alter_table("effects", schema=None) as batch_op:
        batch_op.drop_index("ix_effects_pending_urgency")
        batch_op.drop_column("urgency")
