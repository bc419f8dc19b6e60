"""DATABASE_URL: check it before connecting, and say in one sentence why a database cannot be used."""

import os
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from firebell.domain.errors import FirebellError

FORMS = "sqlite:///path/to/firebell.db or postgresql+psycopg://user:password@host:5432/dbname"
_SUPPORTED = {("sqlite", "pysqlite"), ("postgresql", "psycopg")}


class DatabaseUnusable(FirebellError):
    """DATABASE_URL names a database Firebell cannot use; the message says why and what would work."""


def parse_database_url(url: str) -> URL:
    """The URL for a supported database (`postgres://` and `postgresql://` mean psycopg 3), or DatabaseUnusable."""
    try:
        parsed = make_url(url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url)
    except (ArgumentError, ValueError):
        # Not echoed: an unparseable URL may still hold a password.
        raise DatabaseUnusable(f"DATABASE_URL is not a database URL; expected {FORMS}.") from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    backend, _, driver = parsed.drivername.partition("+")
    # From the name alone: asking SQLAlchemy for a default driver imports it, and fails on unknown ones.
    if (backend, driver or {"sqlite": "pysqlite"}.get(backend, "")) not in _SUPPORTED:
        raise DatabaseUnusable(
            f"DATABASE_URL uses {parsed.drivername!r}, which Firebell does not support; use {FORMS}."
        )
    if parsed.get_backend_name() == "sqlite":
        _check_sqlite_file(parsed)
    return parsed


def _sqlite_path(url: URL) -> Path | None:
    database = url.database or ""
    return None if database in ("", ":memory:") or database.startswith("file:") else Path(database)


def _check_sqlite_file(url: URL) -> None:
    path = _sqlite_path(url)
    if path is None:
        return
    folder = path.parent
    if path.is_dir():
        raise DatabaseUnusable(f"DATABASE_URL names the SQLite file {path}, which is a directory.")
    if not folder.is_dir():
        raise DatabaseUnusable(
            f"DATABASE_URL names the SQLite file {path}, but the folder {folder} does not exist; create it "
            "or choose another path."
        )
    # SQLite writes its -wal and -shm files beside the database, so the folder must be writable too.
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise DatabaseUnusable(
            f"DATABASE_URL names the SQLite file {path}, but this user cannot write to {folder}; choose a "
            "writable folder (the Docker image uses /data)."
        )


def require_existing(url: URL, *, unset: bool = False) -> None:
    """For commands that only read: refuse a SQLite file that does not exist yet rather than create an empty one."""
    path = _sqlite_path(url) if url.get_backend_name() == "sqlite" else None
    if path is not None and not path.exists():
        named = "DATABASE_URL is unset, and the default is firebell.db here" if unset else "from DATABASE_URL"
        raise DatabaseUnusable(
            f"There is no database at {path} ({named}); set DATABASE_URL to Firebell's database, "
            "or create one with `firebell db upgrade`."
        )


def require_schema(engine: Engine) -> None:
    """Refuse a database that has never been migrated, with the command that fixes it."""
    from firebell.store.migrate import current_revision

    if current_revision(engine) is None:
        raise DatabaseUnusable(
            f"The database at {where(engine.url)} has no Firebell schema yet; run `firebell db upgrade` first."
        )


def where(url: URL) -> str:
    """The URL as it may be shown: the password hidden."""
    return url.render_as_string(hide_password=True)


def describe_failure(exc: SQLAlchemyError, url: URL | None) -> str:
    """One sentence for a database error: which database, and the driver's own first line (never the SQL)."""
    original = exc.orig if isinstance(exc, DBAPIError) else None
    lines = str(original).strip().splitlines() if original is not None else []
    detail = lines[0] if lines else type(original or exc).__name__
    target = f"the database at {where(url)}" if url is not None else "the database"
    return f"Cannot use {target}: {detail}."
