"""Writing alert occurrences in bulk: one query for what is known, one executemany to insert, one UPDATE for
the alerts received again unchanged (and one executemany per other kind of update).

A storm re-sends the same alerts over and over; doing this through ORM objects cost six times what the rows
cost to write, so it goes through Core statements built once.
"""

import contextlib
import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.types.json import Json
from sqlalchemy import JSON, Integer, Table, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from firebell.domain.alerts import AlertStatus, ParsedAlert
from firebell.store.models import Alert

_CHUNK = 500
_ALERTS: Table = Alert.__table__  # type: ignore[assignment]
_FIRING, _RESOLVED = AlertStatus.FIRING.value, AlertStatus.RESOLVED.value


@dataclass(frozen=True)
class Known:
    """The latest stored occurrence of a fingerprint, as much of it as ingesting needs."""

    id: int
    occurrence: int
    status: str
    starts_at: datetime
    annotations: dict[str, Any]


@dataclass
class Written:
    """What writing one request's alerts did."""

    new_ids: list[int] = field(default_factory=list)
    refired_ids: list[int] = field(default_factory=list)
    resolved_ids: list[int] = field(default_factory=list)
    repeated: int = 0


def latest_occurrences(session: Session, source: str, fingerprints: list[str]) -> dict[str, Known]:
    """The latest occurrence of each fingerprint this source has sent before."""
    latest: dict[str, Known] = {}
    for start in range(0, len(fingerprints), _CHUNK):
        chunk = fingerprints[start : start + _CHUNK]
        if session.get_bind().dialect.name == "postgresql":
            _latest_unprepared(session, source, chunk, latest)
            continue
        # Every occurrence of each (almost always one), the latest kept: simpler for the planner than a
        # GROUP BY join, which PostgreSQL planned badly on a table that grew within the transaction.
        query = select(
            Alert.fingerprint, Alert.id, Alert.occurrence, Alert.status, Alert.starts_at, Alert.annotations
        ).where(Alert.source == source, Alert.fingerprint.in_(chunk))
        for row in session.execute(query):
            seen = latest.get(row.fingerprint)
            if seen is None or row.occurrence > seen.occurrence:
                latest[row.fingerprint] = Known(row.id, row.occurrence, row.status, row.starts_at, row.annotations)
    return latest


# On an alerts table that grew during a storm (no statistics yet), PostgreSQL planned `fingerprint = ANY(...)`
# as a scan of every alert of the source, each tested against the array; once psycopg prepared the statement
# (its fifth use) the generic plan tested them one array element at a time: 16 ms a post at 5,000 alerts
# (EXPLAIN ANALYZE). One probe per fingerprint for its latest occurrence (ORDER BY occurrence DESC LIMIT 1,
# the index's own order) is planned as 100 index probes whatever the statistics: 0.5 ms at 10,000 alerts.
# Sent unprepared all the same: a plan made for the values costs a fraction of a millisecond.
_PG_LATEST = (
    "SELECT l.fingerprint, l.id, l.occurrence, l.status, l.starts_at, l.annotations"
    " FROM unnest(%(fingerprints)s::text[]) AS f(fp) CROSS JOIN LATERAL ("
    "SELECT fingerprint, id, occurrence, status, starts_at, annotations FROM alerts"
    " WHERE source = %(source)s AND fingerprint = f.fp ORDER BY occurrence DESC LIMIT 1) AS l"
)


def _latest_unprepared(session: Session, source: str, chunk: list[str], latest: dict[str, Known]) -> None:
    params = {"source": source, "fingerprints": chunk}
    with _driver_cursor(session, _PG_LATEST, params) as cursor:
        rows = cursor.execute(_PG_LATEST, params, prepare=False).fetchall()
    for fingerprint, id_, occurrence, status, starts_at, annotations in rows:
        seen = latest.get(fingerprint)
        if seen is None or occurrence > seen.occurrence:
            latest[fingerprint] = Known(id_, occurrence, status, starts_at.astimezone(UTC), annotations)


def fires(known: Known | None, parsed: ParsedAlert) -> bool:
    """Whether `parsed` is (or keeps) an alert firing, as opposed to a resolve or a late copy of a resolved one."""
    if parsed.status is not AlertStatus.FIRING:
        return False
    return known is None or known.status == _FIRING or not _late_copy(known, parsed)


def _late_copy(known: Known, parsed: ParsedAlert) -> bool:
    # A firing report of an occurrence that has since resolved (a retry or an HA peer delivered out of order):
    # the same startsAt is the same occurrence, not a new one.
    return parsed.starts_at is not None and parsed.starts_at == known.starts_at


_INSERT = _ALERTS.insert().returning(_ALERTS.c.id, sort_by_parameter_order=True)


@functools.cache
def _again(*, resolving: bool, annotations: bool) -> Any:
    """The UPDATE for alerts received again: counted and seen; resolved; new annotations (four shapes, built once)."""
    values: dict[str, Any] = {
        "deliveries": _ALERTS.c.deliveries + 1,
        "last_seen_at": bindparam("b_seen", type_=_ALERTS.c.last_seen_at.type),
    }
    if resolving:
        values["status"] = _RESOLVED
        values["ends_at"] = bindparam("b_ends", type_=_ALERTS.c.ends_at.type)
    if annotations:
        values["annotations"] = bindparam("b_annotations", type_=JSON)
    return _ALERTS.update().where(_ALERTS.c.id == bindparam("b_id")).values(**values)


@functools.cache
def _again_all(dialect: str) -> Any:
    """The UPDATE counting a delivery for many alerts at once (received again, nothing else changed)."""
    if dialect == "postgresql":  # one array parameter binds faster than a hundred IN parameters
        among = _ALERTS.c.id == any_(bindparam("b_ids", type_=ARRAY(Integer)))
    else:
        among = _ALERTS.c.id.in_(bindparam("b_ids", expanding=True))
    seen = bindparam("b_seen", type_=_ALERTS.c.last_seen_at.type)
    return _ALERTS.update().where(among).values(deliveries=_ALERTS.c.deliveries + 1, last_seen_at=seen)


def write_alerts(
    session: Session,
    source: str,
    group_id: int,
    alerts: Sequence[ParsedAlert],
    latest: dict[str, Known],
    *,
    now: datetime,
) -> Written:
    """Insert new occurrences and update known ones (deliveries, last seen, resolve, annotations)."""
    written = Written()
    fresh: list[tuple[dict[str, Any], bool]] = []  # (row, whether it re-fires an earlier occurrence)
    updates: dict[tuple[bool, bool], list[dict[str, Any]]] = {}
    for parsed in alerts:
        known = latest.get(parsed.fingerprint)
        if known is None or (known.status != _FIRING and fires(known, parsed)):
            fresh.append((_row(source, group_id, parsed, now, previous=known), known is not None))
            continue
        resolving = parsed.status is AlertStatus.RESOLVED and known.status == _FIRING
        if resolving:
            written.resolved_ids.append(known.id)
        else:
            written.repeated += 1
        params: dict[str, Any] = {"b_id": known.id, "b_seen": now}
        if resolving:
            params["b_ends"] = parsed.ends_at or now
        annotations = parsed.annotations != known.annotations
        if annotations:
            params["b_annotations"] = parsed.annotations
        updates.setdefault((resolving, annotations), []).append(params)
    if repeats := updates.pop((False, False), None):
        # The storm's common case, alerts sent again as they were: one statement for them all, not one each.
        again_ids = [params["b_id"] for params in repeats]
        session.execute(_again_all(session.get_bind().dialect.name), {"b_ids": again_ids, "b_seen": now})
    for (resolving, annotations), batch in updates.items():
        session.execute(_again(resolving=resolving, annotations=annotations), batch)
    if fresh:
        rows = [row for row, _ in fresh]
        if session.get_bind().dialect.name == "postgresql":
            ids: Sequence[int] = _insert_pipelined(session, rows)
        else:
            ids = session.execute(_INSERT, rows).scalars().all()
        for new_id, (_, refired) in zip(ids, fresh, strict=True):
            (written.refired_ids if refired else written.new_ids).append(new_id)
    return written


_COLUMNS = (
    "source",
    "fingerprint",
    "occurrence",
    "previous_id",
    "status",
    "name",
    "labels",
    "annotations",
    "starts_at",
    "ends_at",
    "first_seen_at",
    "last_seen_at",
    "deliveries",
    "group_id",
    "generator_url",
    "silence_url",
    "dashboard_url",
)
_JSON_COLUMNS = frozenset({"labels", "annotations"})


@functools.cache
def _pg_insert(dialect: Dialect) -> str:
    """INSERT INTO alerts (...) VALUES (%(source)s, ...) RETURNING id, as psycopg takes it."""
    statement = _ALERTS.insert().values({c: bindparam(c) for c in _COLUMNS}).returning(_ALERTS.c.id)
    return str(statement.compile(dialect=dialect))


def _insert_pipelined(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """PostgreSQL: the rows inserted by one small INSERT ... RETURNING executed for each, pipelined (one round
    trip). SQLAlchemy's insertmanyvalues sends one statement with 17 parameters per row instead, and psycopg
    splits a statement that size anew on every post (too large for its cache): 36 ms of a 60 ms post in
    the storm's first pass (cProfile), where the floor's executemany without RETURNING is pipelined."""
    params = [{c: Json(row[c]) if c in _JSON_COLUMNS else _utc(row[c]) for c in _COLUMNS} for row in rows]
    ids: list[int] = []
    statement = _pg_insert(session.get_bind().dialect)
    with _driver_cursor(session, statement, params) as cursor:
        cursor.executemany(statement, params, returning=True)
        while True:
            ids.append(int(cursor.fetchone()[0]))
            if not cursor.nextset():
                break
    return ids


@contextlib.contextmanager
def _driver_cursor(session: Session, statement: str, params: Any) -> Iterator[Any]:
    """A psycopg cursor on the session's connection, for what SQLAlchemy does not ask of psycopg (an unprepared
    query, a pipelined executemany with RETURNING). Cursor listeners still hear of the statement, and driver
    errors come out as SQLAlchemy's (IntegrityError, OperationalError...), as callers expect: a lost race on
    the one-firing index is retried by ingest_alerts."""
    connection = session.connection()
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor:
        many = isinstance(params, list)
        connection.dispatch.before_cursor_execute(connection, cursor, statement, params, None, many)
        try:
            yield cursor
        except psycopg.Error as exc:
            raise DBAPIError.instance(statement, params, exc, psycopg.Error) from exc


def _utc(value: Any) -> Any:
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def _row(source: str, group_id: int, parsed: ParsedAlert, now: datetime, *, previous: Known | None) -> dict[str, Any]:
    resolved = parsed.status is AlertStatus.RESOLVED
    return {
        "source": source,
        "fingerprint": parsed.fingerprint,
        "occurrence": previous.occurrence + 1 if previous else 1,
        "previous_id": previous.id if previous else None,
        "status": parsed.status.value,
        "name": parsed.name[:500],
        "labels": parsed.labels,
        "annotations": parsed.annotations,
        "starts_at": parsed.starts_at or now,
        "ends_at": (parsed.ends_at or now) if resolved else None,
        "first_seen_at": now,
        "last_seen_at": now,
        "deliveries": 1,
        "group_id": group_id,
        "generator_url": parsed.generator_url,
        "silence_url": parsed.silence_url,
        "dashboard_url": parsed.dashboard_url,
    }
