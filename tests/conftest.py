"""Shared fixtures: one migrated database per run (SQLite, or PostgreSQL via TEST_DATABASE_URL)."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from firebell.domain.policy import Policy
from firebell.services.context import Context
from firebell.store.database import Database
from firebell.store.engine import make_engine
from firebell.store.migrate import upgrade
from tests.clock import Clock
from tests.database import private_database, wipe


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The run's database, migrated by Alembic once."""
    with private_database(str(tmp_path_factory.mktemp("db"))) as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """A shared engine on the run's database."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clean_db(engine: Engine) -> Engine:
    """The run's database, emptied before the test."""
    wipe(engine)
    return engine


@pytest.fixture
def clock() -> Clock:
    """A fixed clock at a known instant."""
    return Clock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))


@pytest.fixture
def ctx(clean_db: Engine, clock: Clock) -> Context:
    """Use-case context on an empty database with the default policy and a hand-moved clock."""
    return Context(db=Database(clean_db), policy=Policy(), clock=clock)
