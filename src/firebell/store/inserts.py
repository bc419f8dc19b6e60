"""Insert a row unless an equal one exists, safely under concurrency."""

from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

T = TypeVar("T")


def _insert(dialect: str, table: Any) -> Any:
    """An INSERT with this database's ON CONFLICT clause."""
    return sqlite_insert(table) if dialect == "sqlite" else postgresql_insert(table)


def skipping_insert(dialect: str, table: Any) -> Any:
    """An INSERT into `table` (a model or Core table) that skips rows which would break a unique constraint."""
    return _insert(dialect, table).on_conflict_do_nothing()


def insert_skipping_duplicates(session: Session, model: type[Any]) -> Any:
    """An INSERT that skips rows which would break a unique constraint, for this session's database."""
    return skipping_insert(session.get_bind().dialect.name, model)


def insert_ignoring_duplicates(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Insert rows in one statement; rows that would break a unique constraint are skipped."""
    session.execute(insert_skipping_duplicates(session, model), rows)


def insert_once(session: Session, row: T, *, existing: Select[Any]) -> T | None:
    """Add `row` unless `existing` finds a match; None when it exists already.

    The check is cheap and catches the usual repeat; the savepoint catches the race where another
    transaction inserts the same row between the check and the insert (its unique constraint fires).
    """
    if session.scalar(existing) is not None:
        return None
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    return row


def upsert(session: Session, model: type[Any], row: dict[str, Any], *, key: list[str]) -> None:
    """Insert `row`, or update the row with the same `key` columns, in one statement: two processes learning
    the same thing at once both succeed (the later write wins) instead of one breaking the unique constraint."""
    statement = _insert(session.get_bind().dialect.name, model).values(row)
    changed = {column: value for column, value in row.items() if column not in key}
    session.execute(statement.on_conflict_do_update(index_elements=key, set_=changed))
