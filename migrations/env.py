"""Alembic environment: runs on the engine Firebell hands over, or on $DATABASE_URL from the CLI."""

import os

from alembic import context
from sqlalchemy import Engine

from firebell.store.engine import make_engine
from firebell.store.migrate import compare_types
from firebell.store.models import Base

target_metadata = Base.metadata


def _engine() -> Engine:
    engine = context.config.attributes.get("engine")
    if isinstance(engine, Engine):
        return engine
    return make_engine(os.environ.get("DATABASE_URL", "sqlite:///firebell.db"))


def run_migrations_online() -> None:
    """Run migrations in a transaction on a live connection."""
    engine = _engine()
    with engine.connect() as connection:
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
