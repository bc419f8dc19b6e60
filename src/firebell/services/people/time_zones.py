"""People's Slack time zones (users.info `tz`), asked once and kept, so a page can be judged in or out of the
person's working hours. Asked in the background: at start for every schedule member, and later for anyone
notified of a page whom Firebell has not asked yet. Answers older than a week are asked again at start."""

import logging
import re
from collections.abc import Callable, Iterable
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from firebell.domain.policy import Policy
from firebell.services.context import Context
from firebell.services.oncall.emails import as_user_ids
from firebell.store.inserts import upsert
from firebell.store.models import PageNotification, PersonTimeZone

log = logging.getLogger(__name__)

# A user id to their Slack time zone name (None: Slack has none for them); raises when Slack cannot answer now.
ZoneLookup = Callable[[str], str | None]
REFRESH_AFTER = timedelta(days=7)
BATCH = 50  # people asked about per background pass (users.info is Tier 4: 100 a minute)
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")


def valid_zone(name: str | None) -> str | None:
    """`name` if it is an IANA time zone this machine knows, else None."""
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def schedule_members(ctx: Context, policy: Policy) -> set[str]:
    """Every member of every schedule as a Slack user id (e-mails resolved so far; the rest left out)."""
    written = {m for s in policy.schedules for layer in s.layers for m in layer.members}
    ids = as_user_ids(ctx, written)
    return {ids.get(m, m) for m in written if _USER_ID.match(ids.get(m, m))}


def learn_time_zones(
    ctx: Context, lookup: ZoneLookup, users: Iterable[str], *, refresh: bool = False, limit: int | None = BATCH
) -> int:
    """Ask Slack for the time zone of each of `users` not known yet (with `refresh`, also those asked more than
    a week ago or answered with none), at most `limit` of them; returns how many were stored. Stops at the
    first failure (Slack unreachable, rate limited): the rest are asked next time."""
    wanted = {u for u in users if _USER_ID.match(u)}
    if not wanted:
        return 0
    now = ctx.clock()
    with ctx.db.read() as session:
        rows = {r.user_id: r for r in session.scalars(select(PersonTimeZone).where(PersonTimeZone.user_id.in_(wanted)))}
    stale = {u for u, r in rows.items() if refresh and (r.time_zone is None or now - r.checked_at > REFRESH_AFTER)}
    stored = 0
    for user in sorted((wanted - set(rows)) | stale)[:limit]:
        try:
            zone = valid_zone(lookup(user))
        except Exception as exc:
            log.info("people: could not ask Slack for a time zone (%s); asked again later", type(exc).__name__)
            return stored
        with ctx.db.transaction(background=True) as session:
            # Both processes ask at start: the later answer wins rather than one breaking the primary key.
            upsert(session, PersonTimeZone, {"user_id": user, "time_zone": zone, "checked_at": now}, key=["user_id"])
        stored += 1
    return stored


def learn_members_time_zones(ctx: Context, lookup: ZoneLookup) -> int:
    """At start, in the background: the time zones of every schedule member (refreshing week-old answers)."""
    return learn_time_zones(ctx, lookup, schedule_members(ctx, ctx.policy), refresh=True, limit=None)


def learn_notified_time_zones(ctx: Context, lookup: ZoneLookup) -> int:
    """In the background: the time zones of people notified of pages whom Firebell has not asked yet."""
    with ctx.db.read() as session:
        query = (
            select(PageNotification.user_id)
            .outerjoin(PersonTimeZone, PersonTimeZone.user_id == PageNotification.user_id)
            .where(PersonTimeZone.user_id.is_(None))
            .distinct()
            .limit(BATCH)
        )
        users = list(session.scalars(query))
    return learn_time_zones(ctx, lookup, users)


def time_zone_of(ctx: Context, user: str) -> str | None:
    """The stored Slack time zone of a person, None when unknown."""
    with ctx.db.read() as session:
        row = session.get(PersonTimeZone, user)
    return valid_zone(row.time_zone) if row is not None else None
