"""The inbox's store side: Slack requests recorded as they are acknowledged, claimed and carried out once.

The mirror of the outbox. Recording is one small insert per batch of concurrent requests, keyed so a
replay or a Slack retry is recorded once. Workers claim the first pending entry of each lane (a war
room, a declarer) with a lease, in the order entries came; a lease left by a killed process lapses in
seconds and the entry is claimed again. An entry is marked done in the same transaction as the change it
makes (a `Seal`), so across a crash it is carried out exactly once.
"""

import functools
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import Table, and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from firebell.domain.errors import FirebellError
from firebell.services.context import Context
from firebell.store.database import Seal
from firebell.store.inserts import insert_skipping_duplicates, skipping_insert
from firebell.store.models import InboxEntry

log = logging.getLogger(__name__)

INBOX = cast(Table, InboxEntry.__table__)
ERROR_LIMIT = 500


class InboxStatus(StrEnum):
    """Inbox row states."""

    PENDING = "pending"
    DONE = "done"
    DEAD = "dead"


class ClaimLost(Exception):
    """This process's lease on an entry lapsed and another took it over: its work must not commit."""


class DuplicateDelivery(FirebellError):
    """Slack delivered the same request again (a retry or a replay); it was carried out the first time."""

    def __init__(self) -> None:
        super().__init__("Firebell already carried this out: Slack delivered the same request twice.")


@dataclass(frozen=True)
class Request:
    """A request to record: `key` recognises it again, `lane` orders it, `payload` is what the worker needs."""

    key: str
    kind: str
    lane: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Claimed:
    """An entry this process holds; `attempts` fences it: a later claim by anyone counts up."""

    id: int
    key: str
    kind: str
    lane: str
    payload: dict[str, Any]
    attempts: int
    received_at: datetime


def record(ctx: Context, requests: list[Request]) -> None:
    """Record requests in one statement (an acknowledgement waits on it); keys seen before are skipped."""
    now = ctx.clock()
    rows = [
        {
            "key": r.key,
            "kind": r.kind,
            "lane": r.lane,
            "payload": r.payload,
            "status": InboxStatus.PENDING.value,
            "attempts": 0,
            "received_at": now,
        }
        for r in requests
    ]
    with ctx.db.acknowledging() as connection:
        connection.execute(_record_statement(connection.dialect.name), rows)


@functools.cache
def _record_statement(dialect: str) -> Any:
    """The inbox INSERT that skips a key recorded before, built once per dialect."""
    return skipping_insert(dialect, INBOX)


def _claimable(now: datetime) -> Any:
    return and_(
        InboxEntry.status == InboxStatus.PENDING.value,
        or_(InboxEntry.claimed_until.is_(None), InboxEntry.claimed_until < now),
    )


def claim(ctx: Context, *, name: str, lease: timedelta, limit: int, busy_lanes: set[str]) -> list[Claimed]:
    """Claim up to `limit` entries, each the first pending one of its lane and not in `busy_lanes`."""
    now = ctx.clock()
    earlier = aliased(InboxEntry)
    is_head = ~exists().where(
        earlier.lane == InboxEntry.lane, earlier.status == InboxStatus.PENDING.value, earlier.id < InboxEntry.id
    )
    query = select(InboxEntry.id, InboxEntry.lane).where(_claimable(now), is_head).order_by(InboxEntry.id)
    with ctx.db.read() as session:
        candidates = [i for i, lane in session.execute(query.limit(limit + len(busy_lanes))) if lane not in busy_lanes]
    if not candidates:
        return []
    with ctx.db.transaction() as session:
        # One conditional UPDATE claims the batch; RETURNING says which rows this process won.
        won = session.connection().execute(
            update(INBOX)
            .where(InboxEntry.id.in_(candidates[:limit]), _claimable(now))
            .values(claimed_by=name, claimed_until=now + lease, attempts=InboxEntry.attempts + 1)
            .returning(
                InboxEntry.id,
                InboxEntry.key,
                InboxEntry.kind,
                InboxEntry.lane,
                InboxEntry.payload,
                InboxEntry.attempts,
                InboxEntry.received_at,
            )
        )
        claimed = [Claimed(*row) for row in won]
    return sorted(claimed, key=lambda c: c.id)


def renew(ctx: Context, *, name: str, ids: list[int], lease: timedelta) -> None:
    """Extend this process's leases on entries still being carried out."""
    if not ids:
        return
    with ctx.db.transaction(background=True) as session:
        session.execute(
            update(InboxEntry)
            .where(InboxEntry.id.in_(ids), InboxEntry.claimed_by == name, InboxEntry.status == "pending")
            .values(claimed_until=ctx.clock() + lease)
            .execution_options(synchronize_session=False)
        )


def _mine(entry: Claimed, name: str) -> Any:
    return and_(
        InboxEntry.id == entry.id,
        InboxEntry.claimed_by == name,
        InboxEntry.attempts == entry.attempts,
        InboxEntry.status == InboxStatus.PENDING.value,
    )


def _settle(session: Session, entry: Claimed, *, name: str, values: dict[str, Any]) -> bool:
    result = session.connection().execute(update(INBOX).where(_mine(entry, name)).values(**values))
    return bool(result.rowcount == 1)


def done_seal(ctx: Context, entry: Claimed, *, name: str) -> Seal:
    """A seal marking `entry` done with the change it makes; raises ClaimLost if the entry is no longer ours."""

    def apply(session: Session) -> None:
        if not _settle(session, entry, name=name, values=_done(ctx.clock())):
            raise ClaimLost(f"inbox entry {entry.id}")

    return Seal(apply=apply)


def _done(now: datetime, error: str | None = None) -> dict[str, Any]:
    status = InboxStatus.DONE if error is None else InboxStatus.DEAD
    return {
        "status": status.value,
        "done_at": now,
        "claimed_by": None,
        "claimed_until": None,
        "last_error": None if error is None else error[:ERROR_LIMIT],
    }


def finish(ctx: Context, entry: Claimed, *, name: str, error: str | None = None) -> bool:
    """Mark an entry that changed nothing (a read, a refusal) done, or dead with `error`; False if not ours."""
    with ctx.db.transaction() as session:
        return _settle(session, entry, name=name, values=_done(ctx.clock(), error))


def retry_later(ctx: Context, entry: Claimed, *, name: str, delay: float, error: str) -> bool:
    """Release an entry whose attempt failed for a passing reason, to be claimed again after `delay` seconds."""
    values = {"claimed_until": ctx.clock() + timedelta(seconds=delay), "last_error": error[:ERROR_LIMIT]}
    with ctx.db.transaction() as session:
        return _settle(session, entry, name=name, values=values)


def once_seal(ctx: Context, request: Request) -> Seal:
    """A seal recording a request carried out at once (a button, a form, an event) as done with its change;
    raises DuplicateDelivery when the same request committed before."""

    def apply(session: Session) -> None:
        now = ctx.clock()
        row: dict[str, Any] = {"key": request.key, "kind": request.kind, "lane": request.lane}
        row.update(payload=request.payload, status=InboxStatus.DONE.value, attempts=1, received_at=now, done_at=now)
        statement = insert_skipping_duplicates(session, InboxEntry).values(**row).returning(InboxEntry.id)
        if session.connection().execute(statement).first() is None:  # (psycopg reports no rowcount for it)
            raise DuplicateDelivery

    return Seal(apply=apply)


def seen(ctx: Context, key: str) -> bool:
    """Whether a request with this key was recorded already."""
    with ctx.db.read() as session:
        return session.scalar(select(InboxEntry.id).where(InboxEntry.key == key)) is not None


def pending_count(ctx: Context) -> int:
    """Entries recorded and not yet carried out."""
    with ctx.db.read() as session:
        return int(session.scalar(select(func.count(InboxEntry.id)).where(InboxEntry.status == "pending")) or 0)


def prune_done(ctx: Context, *, before: datetime) -> int:
    """Forget entries carried out before `before` (a replay that old is refused by its signature's age)."""
    with ctx.db.transaction(background=True) as session:
        result = session.execute(
            delete(InboxEntry)
            .where(InboxEntry.status != InboxStatus.PENDING.value, InboxEntry.done_at < before)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
