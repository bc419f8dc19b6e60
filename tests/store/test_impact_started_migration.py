"""Migration 0012: the postmortem form's impact start moves to the incident, and back on downgrade."""

from pathlib import Path

from alembic import command
from sqlalchemy import inspect, text

from firebell.store.engine import make_engine
from firebell.store.migrate import alembic_config, upgrade
from tests.database import private_database

INCIDENT = (
    "INSERT INTO incidents (id, number, title, severity, status, declared_by, declared_at, detected_at, updated_at,"
    " last_update_at, missed_updates, impact_started_at)"
    " VALUES (:id, :id, 'Checkout', 'SEV2', 'resolved', 'U0ALICE00', :at, :at, :at, :at, 0, :impact)"
)


def _moment(value: object) -> str:
    """A stored moment as comparable text (SQLite keeps text, PostgreSQL a timestamptz)."""
    return str(value)[:16]


def test_impact_starts_move_from_the_postmortem_to_the_incident(tmp_path: Path) -> None:
    with private_database(str(tmp_path)) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0009")
            with engine.begin() as conn:
                at, said, form = (
                    "2026-12-07 14:00:00.000000",
                    "2026-12-07 13:40:00.000000",
                    "2026-12-07 13:30:00.000000",
                )
                conn.execute(text(INCIDENT), {"id": 1, "at": at, "impact": None})  # the form said it
                conn.execute(text(INCIDENT), {"id": 2, "at": at, "impact": said})  # both: the incident's wins
                conn.execute(text(INCIDENT), {"id": 3, "at": at, "impact": None})  # nobody said
                for incident_id, impact in ((1, form), (2, form), (3, None)):
                    conn.execute(
                        text("INSERT INTO postmortems (incident_id, impact_started_at) VALUES (:i, :impact)"),
                        {"i": incident_id, "impact": impact},
                    )
            upgrade(engine)
            with engine.connect() as conn:
                rows = conn.execute(text("SELECT id, impact_started_at FROM incidents ORDER BY id")).all()
            assert [(i, _moment(v) if v else None) for i, v in rows] == [
                (1, "2026-12-07 13:30"),
                (2, "2026-12-07 13:40"),
                (3, None),
            ]
            assert "impact_started_at" not in {c["name"] for c in inspect(engine).get_columns("postmortems")}

            command.downgrade(alembic_config(engine), "0009")
            with engine.connect() as conn:
                back = conn.execute(text("SELECT incident_id, impact_started_at FROM postmortems ORDER BY 1")).all()
            assert [(i, _moment(v) if v else None) for i, v in back] == [
                (1, "2026-12-07 13:30"),
                (2, "2026-12-07 13:40"),
                (3, None),
            ]
        finally:
            engine.dispose()
