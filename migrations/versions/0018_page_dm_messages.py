"""Page DMs as sent: the DM channel and message ts of each notification, so a page acknowledged by one person or
ended by a resolve can take the buttons off everyone else's DM.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("page_notifications") as batch_op:
        batch_op.add_column(sa.Column("dm_channel", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("dm_ts", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("page_notifications") as batch_op:
        batch_op.drop_column("dm_ts")
        batch_op.drop_column("dm_channel")
