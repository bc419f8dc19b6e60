"""Alert-born incidents: no declarer (declared from an alert source instead), and the war room's alert-note mark.

`declared_by` becomes nullable: an incident declared by a source's declare rule has no person who declared
it, and `declared_from` names the source instead. `alerts_noted_through` is the id of the last alert
timeline event (firing or resolved) the war room has been told about, so each coalesced note says what
changed since the previous one.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.alter_column("declared_by", existing_type=sa.String(length=40), nullable=True)
        batch_op.add_column(sa.Column("declared_from", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("alerts_noted_through", sa.Integer(), nullable=True))


def downgrade() -> None:
    # Alert-born incidents get a placeholder declarer, so the column can be NOT NULL again.
    op.execute("UPDATE incidents SET declared_by = 'alerts' WHERE declared_by IS NULL")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("alerts_noted_through")
        batch_op.drop_column("declared_from")
        batch_op.alter_column("declared_by", existing_type=sa.String(length=40), nullable=False)
