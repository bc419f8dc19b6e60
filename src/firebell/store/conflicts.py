"""Recognising a transaction PostgreSQL rolled back because it lost a race with another one.

A deadlock (40P01) or a serialization failure (40001) leaves nothing behind: the whole transaction can
simply run again. SQLite has one writer and raises neither.
"""

from sqlalchemy.exc import DBAPIError

LOST_A_RACE = ("40P01", "40001")  # deadlock_detected, serialization_failure


def lost_a_race(exc: BaseException) -> bool:
    """Whether `exc` is a transaction the database rolled back only because another one got in its way."""
    return isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in LOST_A_RACE
