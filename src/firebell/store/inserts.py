"""Insert a row unless an equal one exists, safely under concurrency."""

from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

T = TypeVar("T")


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
