"""Test databases: a fresh SQLite file, or a private PostgreSQL schema when TEST_DATABASE_URL is set."""

import contextlib
import os
import re
import uuid
from collections.abc import Iterator

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url

SCHEMA_PREFIX = "fb_test_"
TABLES = (
    "statuspage_links",
    "status_updates",
    "status_incidents",
    "status_maintenances",
    "oncall_ical_feeds",
    "oncall_handoffs",
    "people_time_zones",
    "page_responses",
    "page_notifications",
    "pages",
    "oncall_temporaries",
    "maintenance_windows",
    "oncall_overrides",
    "oncall_anchors",
    "oncall_schedules",
    "oncall_emails",
    "alerts",
    "alert_group_keys",
    "alert_groups",
    "inbox",
    "effects",
    "timeline_events",
    "incident_roles",
    "action_items",
    "postmortems",
    "people",
    "runbook_steps_done",
    "runbook_runs",
    "incidents",
)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sweep_stale_schemas(admin: Engine) -> None:
    """Drop schemas left by test runs that were killed before they could clean up."""
    with admin.begin() as conn:
        names = conn.execute(
            text("SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE :p"),
            {"p": SCHEMA_PREFIX + "%"},
        ).scalars()
        for name in names:
            match = re.match(rf"{SCHEMA_PREFIX}(\d+)_", name)
            if match and not _pid_alive(int(match.group(1))):
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@contextlib.contextmanager
def private_database(sqlite_dir: str) -> Iterator[str]:
    """Yield a database URL no other run uses; drop it afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{sqlite_dir}/firebell-{uuid.uuid4().hex[:8]}.db"
        return
    admin = create_engine(base)
    schema = f"{SCHEMA_PREFIX}{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        _sweep_stale_schemas(admin)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


def wipe(engine: Engine) -> None:
    """Empty every table (keeping the schema and its migration version) and restart numbering."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # DELETE, not TRUNCATE: the tables a test leaves hold a few rows, and TRUNCATE of 29 tables (new files
            # for each, and a lock that waits for every reader) cost 62 ms a test where this costs about 1 ms.
            conn.exec_driver_sql(_postgresql_wipe(conn))
        else:
            for table in TABLES:
                conn.exec_driver_sql(f"DELETE FROM {table}")  # noqa: S608 (fixed table names)
        conn.exec_driver_sql("UPDATE counters SET value = 0 WHERE name = 'incident'")
        conn.exec_driver_sql("UPDATE status_page_revision SET revision = 0 WHERE id = 1")


_WIPES: dict[str, str] = {}


def _postgresql_wipe(conn: Connection) -> str:
    """One round trip: every table emptied (children first), every sequence of the schema restarted at 1."""
    schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
    if schema not in _WIPES:
        sequences = conn.exec_driver_sql(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind = 'S' AND n.nspname = current_schema() ORDER BY c.relname"
        ).scalars()
        _WIPES[schema] = "; ".join(
            [f"DELETE FROM {table}" for table in TABLES]  # noqa: S608 (fixed table names)
            + [f"SELECT setval('{sequence}', 1, false)" for sequence in sequences]
        )
    return _WIPES[schema]
