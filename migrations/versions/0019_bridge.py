"""Statuspage bridge: the remote incident Atlassian Statuspage made for each public incident or maintenance.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "statuspage_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("public_id", sa.String(length=16), nullable=False),
        sa.Column("remote_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statuspage_links")),
        sa.UniqueConstraint("kind", "public_id", name=op.f("uq_statuspage_links_kind_public_id")),
    )


def downgrade() -> None:
    op.drop_table("statuspage_links")
