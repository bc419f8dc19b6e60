"""Alembic environment: runs on the engine Firebell hands over, or on $DATABASE_URL from the CLI."""

import os

from alembic import context
from sqlalchemy import Connection, Engine

from firebell.store.engine import make_engine
from firebell.store.migrate import compare_types
from firebell.store.models import Base

target_metadata = Base.metadata


def _engine() -> Engine:
    engine = context.config.attributes.get("engine")
    if isinstance(engine, Engine):
        return engine
    return make_engine(os.environ.get("DATABASE_URL", "sqlite:///firebell.db"))


def _sqlite_foreign_keys(connection: Connection, *, on: bool) -> None:
    """Switch SQLite's foreign-key enforcement, on the raw connection: the PRAGMA is a no-op inside a
    transaction, and SQLAlchemy's autobegin would open one first."""
    raw = connection.connection.driver_connection
    assert raw is not None
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def run_migrations_online() -> None:
    """Run migrations in a transaction on a live connection.

    On SQLite, foreign keys are off while migrating: a batch migration rebuilds a table (create a copy,
    drop the old one, rename), and dropping `incidents` with enforcement on would cascade-delete every
    timeline event, role and postmortem. They are checked afterwards and switched back on.
    """
    engine = _engine()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, on=False)
        try:
            _migrate(connection)
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                connection.commit()
                if broken:
                    raise RuntimeError(f"the migration left rows pointing at nothing: {broken[:5]}")
        finally:
            if sqlite:
                connection.rollback()
                _sqlite_foreign_keys(connection, on=True)


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=compare_types,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Several replicas starting at once: one migrates, the others wait and find nothing to do.
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7429384201)")
        context.run_migrations()
    connection.commit()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run against a database.")
run_migrations_online()
