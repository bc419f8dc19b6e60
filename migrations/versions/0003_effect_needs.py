"""Outbox: record what each effect waits for, so the gateway finds ready work in one indexed query.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NO_NEED = ("create_channel", "capture_pin", "ephemeral")
_KICKOFF = ("pin_kickoff", "sync_kickoff")


def _needs(kind: str, payload: dict[str, object]) -> str | None:
    target = payload.get("target")
    if kind in _NO_NEED or (kind == "post_reminder" and target == "dm"):
        return None
    if kind == "respond" and payload.get("message") == "war_room_failed":
        return None
    if kind in _KICKOFF:
        return "kickoff_ts"
    if kind == "sync_announcement" or (
        kind in ("post_notice", "post_reminder") and target in ("announcement_thread", "announcement")
    ):
        return "announcement_ts"
    return "channel_id"


def upgrade() -> None:
    with op.batch_alter_table("effects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("needs", sa.String(length=20), nullable=True))
        # The gateway walks pending effects in id order and stops at the first few that are ready, and
        # checks each is its lane's first. Partial indexes over the pending rows stay small however
        # many delivered rows accumulate, so neither planner is tempted to scan the whole table.
        batch_op.drop_index("ix_effects_status_next_attempt")
        batch_op.drop_index("ix_effects_status_lane_id")
        batch_op.create_index(
            "ix_effects_pending",
            ["id"],
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
        batch_op.create_index(
            "ix_effects_pending_lane",
            ["lane", "id"],
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
    effects = sa.table(
        "effects",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("payload", sa.JSON),
        sa.column("status", sa.String),
        sa.column("needs", sa.String),
    )
    bind = op.get_bind()
    pending = bind.execute(
        sa.select(effects.c.id, effects.c.kind, effects.c.payload).where(effects.c.status == "pending")
    )
    for effect_id, kind, payload in pending.all():
        bind.execute(sa.update(effects).where(effects.c.id == effect_id).values(needs=_needs(kind, payload or {})))


def downgrade() -> None:
    with op.batch_alter_table("effects", schema=None) as batch_op:
        batch_op.drop_index("ix_effects_pending")
        batch_op.drop_index("ix_effects_pending_lane")
        batch_op.create_index("ix_effects_status_next_attempt", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_effects_status_lane_id", ["status", "lane", "id"], unique=False)
        batch_op.drop_column("needs")
