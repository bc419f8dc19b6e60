"""Engine setup for SQLite (the embedded default) and PostgreSQL (production)."""

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.pool import ConnectionPoolEntry

from firebell.store.database_url import parse_database_url


def normalize_url(url: str) -> URL:
    """Accept `postgres://` and `postgresql://` (as hosting platforms write them) for psycopg 3; refuse the rest."""
    return parse_database_url(url)


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Create the engine: SQLite gets WAL, a busy timeout and write-intent transactions; PostgreSQL a pool."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed.render_as_string(hide_password=False))
    # Sessions are short; the overflow covers bursts from the listener, gateway and API threads.
    return create_engine(parsed, pool_size=pool_size, max_overflow=30, pool_pre_ping=True)


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=20)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy's "begin" event decide how transactions start (pysqlite would defer them).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front, so concurrent writers queue on busy_timeout instead of
        # failing with "database is locked" when a read transaction later tries to write.
        readonly = conn.get_execution_options().get("firebell_readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

    return engine


def readonly(engine: Engine) -> Engine:
    """A view of the engine for read-only work (on SQLite it does not take the write lock)."""
    return engine.execution_options(firebell_readonly=True)
