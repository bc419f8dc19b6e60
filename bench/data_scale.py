"""Work that grows with the data: the postmortem of an incident with N timeline events, and a page of the
incident list out of M incidents, each against the raw SQL query that fetches the same rows."""

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, text

from bench.harness import database
from firebell.domain.policy import Policy
from firebell.services.context import Context
from firebell.services.incidents import list_incidents
from firebell.services.postmortem import postmortem_markdown
from firebell.store.database import Database
from firebell.store.engine import make_engine
from firebell.store.migrate import upgrade
from firebell.store.models import Incident, RoleAssignment, TimelineEvent

T0 = datetime(2026, 11, 1, tzinfo=UTC)
RAW_PAGE = (
    "SELECT i.*, r.role, r.user_id FROM incidents i LEFT JOIN incident_roles r ON r.incident_id = i.id "
    "WHERE i.id IN (SELECT id FROM incidents ORDER BY number DESC LIMIT 51) ORDER BY i.number DESC, r.id"
)


def best_of_each(runs: int, *fns: Callable[[], object]) -> list[float]:
    """The fastest of `runs` timings of each function (the least disturbed by the rest of the machine),
    taken in turns, so that a spell when the machine is slower falls on all of them alike."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for fn, taken in zip(fns, times, strict=True):
            started = time.perf_counter()
            fn()
            taken.append(time.perf_counter() - started)
    return [min(taken) for taken in times]


def _seed(engine: Engine, *, incidents: int, events: int) -> None:
    kinds = ["update", "note", "pin", "severity_changed", "reminder"]
    with engine.begin() as conn:
        conn.execute(
            insert(Incident),
            [
                {
                    "number": n,
                    "title": f"Incident {n}",
                    "severity": "SEV2",
                    "status": "resolved",
                    "declared_by": "U0ALICE00",
                    "declared_at": T0 + timedelta(minutes=n),
                    "updated_at": T0 + timedelta(minutes=n),
                    "last_update_at": T0 + timedelta(minutes=n),
                    "mitigated_at": T0 + timedelta(minutes=n + 30),
                    "resolved_at": T0 + timedelta(minutes=n + 60),
                    "channel_id": f"C{n:09d}",
                    "channel_name": f"inc-{n}",
                    "missed_updates": 0,
                }
                for n in range(1, incidents + 1)
            ],
        )
        conn.execute(
            insert(RoleAssignment),
            [
                {"incident_id": n, "role": "commander", "user_id": "U0ALICE00", "assigned_at": T0}
                for n in range(1, incidents + 1)
            ],
        )
        conn.execute(
            insert(TimelineEvent),
            [
                {
                    "incident_id": 1,
                    "at": T0 + timedelta(seconds=i),
                    "kind": kinds[i % len(kinds)],
                    "actor": "U0BOB0000" if i % len(kinds) != 4 else None,
                    "text": f"Event {i}: checked the replica lag and the error budget burn rate",
                    "data": None,
                    "source_key": None,
                }
                for i in range(events)
            ],
        )
        conn.execute(text("UPDATE counters SET value = :n WHERE name = 'incident'"), {"n": incidents})


def run(db_kind: str, *, incidents: int, events: int, runs: int = 7) -> dict[str, Any]:
    """Seed a database, then time the postmortem and a list page against raw SQL."""
    with database(db_kind) as url:
        engine = make_engine(url)
        try:
            upgrade(engine)
            _seed(engine, incidents=incidents, events=events)
            ctx = Context(db=Database(engine), policy=Policy(), clock=lambda: T0 + timedelta(days=30))

            def raw_events() -> object:
                with engine.connect() as conn:
                    return conn.execute(
                        text("SELECT * FROM timeline_events WHERE incident_id = 1 ORDER BY at, id")
                    ).fetchall()

            def raw_page() -> object:
                # The same page as raw SQL: the newest 51 incidents with their roles (the page shows the IC).
                with engine.connect() as conn:
                    return conn.execute(text(RAW_PAGE)).fetchall()

            def api_page() -> object:
                # What GET /api/v1/incidents?limit=50 asks of the store: a page, plus one to know if more remain.
                return list_incidents(ctx, limit=51)

            markdown = postmortem_markdown(ctx, 1)
            postmortem, raw = best_of_each(runs, lambda: postmortem_markdown(ctx, 1), raw_events)
            page, raw_list = best_of_each(runs * 4, api_page, raw_page)
        finally:
            engine.dispose()
    return {
        "db": db_kind,
        "events": events,
        "postmortem_ms": round(postmortem * 1000, 1),
        "raw_events_ms": round(raw * 1000, 1),
        "postmortem_vs_raw": round(postmortem / raw, 2),
        "postmortem_kb": round(len(markdown) / 1024),
        "incidents": incidents,
        "page_ms": round(page * 1000, 2),
        "raw_page_ms": round(raw_list * 1000, 2),
        "page_vs_raw": round(page / raw_list, 2),
    }
