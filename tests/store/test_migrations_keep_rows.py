"""Upgrading keeps every row: a migration that rebuilds a table (SQLite's batch mode: copy, drop, rename)
must not cascade-delete what points at it."""

from pathlib import Path

from sqlalchemy import text

from firebell.store.engine import make_engine
from firebell.store.migrate import upgrade
from tests.database import private_database

AT = "2026-12-07 14:00:00.000000"
ROWS = [
    "INSERT INTO incidents (id, number, title, severity, status, declared_by, declared_at, detected_at, updated_at,"
    " last_update_at, missed_updates) VALUES (1, 1, 'Checkout', 'SEV2', 'resolved', 'U0ALICE00', :at, :at, :at, :at, 0)",
    "INSERT INTO timeline_events (incident_id, at, kind, actor, text) VALUES (1, :at, 'note', 'U0ALICE00', 'seen')",
    "INSERT INTO incident_roles (incident_id, role, user_id, assigned_at) VALUES (1, 'commander', 'U0ALICE00', :at)",
    "INSERT INTO postmortems (incident_id) VALUES (1)",
]
COUNTED = ("incidents", "timeline_events", "incident_roles", "postmortems")


def test_upgrading_from_before_the_alert_migrations_keeps_an_incidents_rows(tmp_path: Path) -> None:
    with private_database(str(tmp_path)) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0009")
            with engine.begin() as conn:
                for row in ROWS:
                    conn.execute(text(row), {"at": AT})
            upgrade(engine)
            with engine.connect() as conn:
                counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in COUNTED}  # noqa: S608
                enforced = conn.exec_driver_sql("PRAGMA foreign_keys").scalar() if url.startswith("sqlite") else 1
            assert counts == dict.fromkeys(COUNTED, 1)
            assert enforced == 1  # switched back on for the connection the app gets from the pool next
        finally:
            engine.dispose()
