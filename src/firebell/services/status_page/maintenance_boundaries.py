"""Telling the announcement channel when a maintenance window begins and when it completes by the clock (the
page itself switches by the clock; people in Slack are told as the window opens and closes).

Run by every scheduler tick. Each boundary is told once across processes: the announcement's outbox key is
unique, and a boundary already told (its effect exists) is not looked at again. A boundary more than a day old
(the service was down across it) is not told late; nor is the start of a window scheduled to begin at once
(its scheduling said so), nor the start of one that is over already.
"""

from datetime import timedelta

from sqlalchemy import Exists, and_, exists, literal, or_, select

from firebell.services.context import Context
from firebell.services.status_page.maintenance import announce_maintenance, maintenance_view
from firebell.store.models import Effect, StatusMaintenance

LOOK_BACK = timedelta(days=1)


def _told(event: str) -> Exists:
    key = literal("status:maintenance:") + StatusMaintenance.public_id + literal(f":announce:{event}")
    return exists().where(Effect.idem_key == key)


def announce_maintenance_boundaries(ctx: Context) -> int:
    """Announce every maintenance that began or completed since the last look; returns how many were told."""
    if not ctx.policy.announcement_channel:
        return 0
    now = ctx.clock()
    since = now - LOOK_BACK
    m = StatusMaintenance
    not_called_off = or_(m.cancelled_at.is_(None), m.cancelled_at > m.starts_at)
    began = and_(
        m.starts_at <= now, m.starts_at > since, m.starts_at > m.created_at, m.ends_at > now, not_called_off,
        or_(m.cancelled_at.is_(None), m.cancelled_at > now), ~_told("started"),
    )  # fmt: skip
    completed = and_(m.ends_at <= now, m.ends_at > since, m.cancelled_at.is_(None), ~_told("completed"))
    with ctx.db.read() as session:
        starting = list(session.scalars(select(m).where(began).order_by(m.starts_at)))
        ending = list(session.scalars(select(m).where(completed).order_by(m.ends_at)))
    if not starting and not ending:
        return 0
    with ctx.db.transaction(background=True) as session:
        for row in starting:
            announce_maintenance(session, ctx.policy, maintenance_view(ctx.policy, row, now), now, event="started")
        for row in ending:
            announce_maintenance(session, ctx.policy, maintenance_view(ctx.policy, row, now), now, event="completed")
    return len(starting) + len(ending)
