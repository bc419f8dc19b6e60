"""Alerts: occurrences, groups and their locks; incidents keep when they were detected and impact began.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FIRING = sa.text("status = 'firing'")


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("detected_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("impact_started_at", sa.DateTime(timezone=True), nullable=True))
    # Every incident so far was declared by a person: detected when declared.
    op.execute("UPDATE incidents SET detected_at = declared_at")

    op.create_table(
        "alert_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("group_key", sa.Text(), nullable=False),
        sa.Column("group_key_hash", sa.String(length=64), nullable=False),
        sa.Column("service", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("decision_reason", sa.String(length=200), nullable=True),
        sa.Column("decided_by", sa.String(length=40), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("truncated_alerts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("notification_reason", sa.String(length=200), nullable=True),
        sa.Column("external_url", sa.String(length=2000), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_alert_groups_incident_id_incidents"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_groups")),
    )
    with op.batch_alter_table("alert_groups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_groups_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index("ix_alert_groups_status_id", ["status", "id"], unique=False)
    op.create_table(
        "alert_group_keys",
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["alert_groups.id"],
            name=op.f("fk_alert_group_keys_group_id_alert_groups"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("source", "key_hash", name=op.f("pk_alert_group_keys")),
    )

    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("fingerprint", sa.String(length=255), nullable=False),
        sa.Column("occurrence", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("annotations", sa.JSON(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deliveries", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("generator_url", sa.Text(), nullable=True),
        sa.Column("silence_url", sa.Text(), nullable=True),
        sa.Column("dashboard_url", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"], ["alert_groups.id"], name=op.f("fk_alerts_group_id_alert_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["previous_id"], ["alerts.id"], name=op.f("fk_alerts_previous_id_alerts"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts_group_id"), ["group_id"], unique=False)
        batch_op.create_index("ix_alerts_source_fingerprint", ["source", "fingerprint", "occurrence"], unique=False)
        batch_op.create_index("ix_alerts_status_id", ["status", "id"], unique=False)
        batch_op.create_index(
            "uq_alerts_firing_fingerprint",
            ["source", "fingerprint"],
            unique=True,
            sqlite_where=_FIRING,
            postgresql_where=_FIRING,
        )


def downgrade() -> None:
    op.drop_table("alerts")
    op.drop_table("alert_group_keys")
    op.drop_table("alert_groups")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("impact_started_at")
        batch_op.drop_column("detected_at")
