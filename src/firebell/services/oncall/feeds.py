"""Calendar feeds of on-call schedules: a secret per schedule (only its sha256 is stored), rotated from the
command line, and the feed itself: each person's shifts from 30 days back to 90 days ahead."""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from firebell.domain.oncall.ical import person_shifts, render_calendar
from firebell.services.context import Context
from firebell.services.oncall.answers import schedule_config, shifts_between
from firebell.services.people.names import names_for
from firebell.store.models import IcalFeed, OncallAnchor, OncallOverride

BACK, AHEAD = timedelta(days=30), timedelta(days=90)
# Shifts are read this far further back, so one that began before the window keeps its real start (and UID).
EARLIER = timedelta(days=30)
SECRET = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


@dataclass(frozen=True)
class Feed:
    """A feed as served: the calendar text and when its contents were last revised."""

    schedule: str
    body: str
    revised: datetime


def digest(secret: str) -> str:
    """The stored form of a feed secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def rotate_feed(ctx: Context, name: str) -> str:
    """A new secret for schedule `name`'s feed (the old one stops working at once); returned once, never
    stored. ScheduleNotFound for a name the policy lacks."""
    schedule_config(ctx, name)
    secret = secrets.token_urlsafe(32)
    with ctx.db.transaction() as session:
        row = session.get(IcalFeed, name)
        if row is None:
            session.add(IcalFeed(schedule=name, secret_sha256=digest(secret), rotated_at=ctx.clock()))
        else:
            row.secret_sha256, row.rotated_at = digest(secret), ctx.clock()
    return secret


def feed_schedule(ctx: Context, secret: str) -> str | None:
    """The schedule whose feed `secret` opens (still in the policy), or None."""
    if not SECRET.fullmatch(secret):
        return None
    wanted = digest(secret)
    with ctx.db.read() as session:
        row = session.scalar(select(IcalFeed).where(IcalFeed.secret_sha256 == wanted))
    if row is None or not hmac.compare_digest(row.secret_sha256, wanted):
        return None
    return row.schedule if ctx.policy.oncall.schedule(row.schedule) is not None else None


def _revised(ctx: Context, name: str, day: datetime) -> datetime:
    """When the feed's contents last changed: the day it is built for, or a later change to an override or
    to where a rotation stands."""
    with ctx.db.read() as session:
        moments = session.execute(
            select(func.max(OncallOverride.created_at), func.max(OncallOverride.removed_at)).where(
                OncallOverride.schedule == name
            )
        ).one()
        anchored = session.scalar(select(func.max(OncallAnchor.updated_at)).where(OncallAnchor.schedule == name))
    return max([day, *(m for m in (*moments, anchored) if m is not None)])


def build_feed(ctx: Context, name: str, *, user: str | None = None) -> Feed:
    """Schedule `name`'s calendar (only `user`'s shifts when given), for the window around today (UTC)."""
    day = datetime.combine(ctx.clock().astimezone(UTC).date(), time(), UTC)
    start, end = day - BACK, day + AHEAD
    views = shifts_between(ctx, name, start - EARLIER, end)
    spans = [(v.start, v.end, v.users) for v in views]
    shifts = [s for s in person_shifts(name, spans, user=user) if s.end > start]
    with ctx.db.read() as session:
        names = names_for(session, {s.user for s in shifts})
    revised = _revised(ctx, name, day)
    return Feed(name, render_calendar(name, shifts, stamp=revised, names=names), revised)
