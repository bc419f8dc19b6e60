"""One impact start: the incident's. Copy what postmortem forms recorded into incidents, drop the postmortem's copy.

The postmortem form and `/incident times impact` now both write `incidents.impact_started_at` (which the REST
API shows); a second column would be a second answer to one question. A value already set on the incident
wins over the postmortem's.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE incidents SET impact_started_at = ("
        " SELECT postmortems.impact_started_at FROM postmortems WHERE postmortems.incident_id = incidents.id"
        ") WHERE impact_started_at IS NULL AND EXISTS ("
        " SELECT 1 FROM postmortems"
        " WHERE postmortems.incident_id = incidents.id AND postmortems.impact_started_at IS NOT NULL)"
    )
    with op.batch_alter_table("postmortems", schema=None) as batch_op:
        batch_op.drop_column("impact_started_at")


def downgrade() -> None:
    with op.batch_alter_table("postmortems", schema=None) as batch_op:
        batch_op.add_column(sa.Column("impact_started_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE postmortems SET impact_started_at = ("
        " SELECT incidents.impact_started_at FROM incidents WHERE incidents.id = postmortems.incident_id)"
    )
