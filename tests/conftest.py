"""Shared fixtures: one migrated database per run (SQLite, or PostgreSQL via TEST_DATABASE_URL)."""

import gc
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime

import fastapi.dependencies.models as fastapi_dependency_models
import httpx
import httpx._transports.default as httpx_transports
import pytest
from sqlalchemy import Engine

from firebell.domain.policy import Policy
from firebell.services.context import Context
from firebell.store.database import Database
from firebell.store.engine import make_engine
from firebell.store.migrate import upgrade
from tests.clock import Clock
from tests.database import private_database, wipe

_httpx_tls = httpx.create_ssl_context()


def _shared_tls_context(
    verify: ssl.SSLContext | str | bool = True, cert: object = None, trust_env: bool = True
) -> ssl.SSLContext:
    """httpx reads the CA bundle anew for every client (about 20 ms of CPU); the suite makes thousands of
    plain-HTTP clients (`httpx.get` is one each), so the default verification is built once."""
    if verify is True and cert is None and trust_env:
        return _httpx_tls
    return httpx.create_ssl_context(verify=verify, cert=cert, trust_env=trust_env)  # type: ignore[arg-type]


httpx_transports.create_ssl_context = _shared_tls_context  # type: ignore[attr-defined]

# FastAPI keeps what it learned about each endpoint in module-level caches of 4,096 callables (harmless for the
# one app a process serves). The suite builds an app per test whose endpoints close over their runtime, so each
# worker kept the last hundred or so apps alive with their runtimes, policies and engines: the heap tripled
# and the garbage collector's full passes, which stop every thread, grew past a second. One of those inside an
# in-process ack pushed it past Slack's 3 s in CI.
_FASTAPI_CALLABLE_CACHES = [
    cache
    for name in ("_is_gen_callable_cached", "_is_async_gen_callable_cached", "_is_coroutine_callable_cached")
    if (cache := getattr(fastapi_dependency_models, name, None)) is not None and hasattr(cache, "cache_clear")
]


def pytest_collection_finish(session: pytest.Session) -> None:
    """What importing and collecting built lives for the whole run: the collector's full passes leave it be."""
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def _forget_finished_apps() -> Iterator[None]:
    """After each test, drop FastAPI's references to the endpoints of the apps it built."""
    yield
    for cache in _FASTAPI_CALLABLE_CACHES:
        cache.cache_clear()


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests (seconds each, mostly waiting on processes and the real clock) start first, spread over
    the workers, so they overlap the quick ones instead of leaving one worker finishing alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
