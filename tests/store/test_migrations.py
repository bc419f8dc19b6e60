"""Alembic is the only way the schema is made: check it builds the schema the models describe."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from firebell.store.engine import make_engine
from firebell.store.migrate import compare_types, current_revision, upgrade
from firebell.store.models import Base
from tests.database import private_database


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": compare_types}), Base.metadata)
    assert diff == []


def test_upgrade_builds_an_empty_database_and_is_idempotent(tmp_path: Path) -> None:
    with private_database(str(tmp_path)) as url:
        engine = make_engine(url)
        try:
            assert current_revision(engine) is None
            upgrade(engine)
            head = current_revision(engine)
            assert head is not None
            upgrade(engine)
            assert current_revision(engine) == head
            tables = set(inspect(engine).get_table_names())
            assert {"incidents", "incident_roles", "timeline_events", "effects", "counters"} <= tables
        finally:
            engine.dispose()
