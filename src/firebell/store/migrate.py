"""Bring the schema up to date with Alembic, the only way the schema is made."""

import functools
import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Column, DateTime, Engine

from firebell.store.models import UTCDateTime

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def migrations_dir() -> Path:
    """Find `migrations/`: $FIREBELL_MIGRATIONS_DIR, the source checkout, or the working directory."""
    candidates = []
    if env := os.environ.get("FIREBELL_MIGRATIONS_DIR"):
        candidates.append(Path(env))
    candidates += [_PACKAGE_DIR.parent.parent / "migrations", Path.cwd() / "migrations"]
    for candidate in candidates:
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError(
        "Cannot find the Alembic migrations directory; set FIREBELL_MIGRATIONS_DIR to the repository's "
        f"migrations/ folder (looked in: {', '.join(str(c) for c in candidates)})"
    )


def compare_types(
    context: object,
    inspected_column: object,
    metadata_column: Column[Any],
    inspected_type: object,
    metadata_type: object,
) -> bool | None:
    """Alembic's type comparison, told that UTCDateTime is the DATETIME/TIMESTAMP the migrations create."""
    if isinstance(metadata_column.type, UTCDateTime):
        return not isinstance(inspected_type, DateTime)
    return None  # Alembic's default comparison


def alembic_config(engine: Engine) -> Config:
    """An Alembic config that runs on this engine's connections."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every pending migration (a database already at the newest is only asked its revision: reading
    the migration scripts costs more than the question, and every start asks)."""
    if revision == "head" and current_revision(engine) == head_revision(migrations_dir()):
        return
    command.upgrade(alembic_config(engine), revision)


@functools.cache
def head_revision(directory: Path) -> str | None:
    """The newest revision among the migration scripts in `directory` (read once per process)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(directory)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None when it has never been migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
