"""Two `firebell serve` processes on one database: every due point is reminded exactly once, and every page
notification is sent exactly once (the first step on declare, the next on an escalation by hand)."""

import signal
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from firebell.emulator import EmulatorServer, SlackDriver, SlackEmulator
from firebell.services.cadence import reminder_key
from firebell.store.models import Effect, PageNotification, TimelineEvent
from tests.cli.serve import serve_env, start_serve, wait_healthy
from tests.harness import free_port, outbox_key

BOB, CAROL = "U0BOB00000", "U0CAROL000"  # the emulator's users (ids are stable)
POLICY = f"""
severities:
  - {{name: SEV1, description: Significant customer impact, update_interval: 1s}}
default_severity: SEV1
services:
  - name: checkout
    escalation_policy: checkout
schedules:
  - name: primary
    layers:
      - members: [{BOB}]
  - name: secondary
    layers:
      - members: [{CAROL}]
escalation_policies:
  - name: checkout
    steps:
      - notify: [schedule:primary]
        escalate_after: 10m
      - notify: [schedule:secondary]
        escalate_after: 10m
paging:
  page_on_declare: SEV1
"""


def page_dms(emu: SlackEmulator, user: str) -> Counter[str]:
    """The page DMs the bot sent `user`, counted by the Slack message they were sent as (its outbox key)."""
    channel = emu.dm_channel(user)
    if channel is None:
        return Counter()
    # By the key the outbox posted it under: a DM settled by the resolve has no buttons left to recognise it by.
    return Counter(key for m in emu.messages(channel.id) if (key := outbox_key(m)).startswith("page:"))


@pytest.mark.slow  # the suite's two-process test: real processes on the real clock
def test_two_processes_never_both_remind(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, tmp_path: Path
) -> None:
    config = tmp_path / "firebell.yaml"
    config.write_text(POLICY)
    env = serve_env(
        emu,
        slack,
        database_url,
        FIREBELL_CONFIG=str(config),
    )
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"serve-{port}.log" for port in ports]
    processes = [start_serve(port, env, log) for port, log in zip(ports, logs, strict=True)]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, process, log in zip(urls, processes, logs, strict=True):
            wait_healthy(url, process, log)
        drivers = [SlackDriver(emu, slack, app_url=f"{url}/slack/events") for url in urls]
        for i in range(6):
            drivers[i % 2].slash_command(
                "/incident", f"declare sev1 Outage {i} --service checkout", user="alice", channel="general"
            )

        def reminded_per_incident() -> Counter[int]:
            with clean_db.connect() as conn:
                return Counter(
                    conn.execute(select(TimelineEvent.incident_id).where(TimelineEvent.kind == "reminder")).scalars()
                )

        # Both processes tick on the real clock until every incident has had three due points reminded
        # (a sleep of fixed length would see fewer under load).
        deadline = time.monotonic() + 30
        while len(reminded := reminded_per_incident()) < 6 or min(reminded.values()) < 3:
            assert time.monotonic() < deadline, f"reminders per incident: {dict(reminded)}"
            time.sleep(0.1)
        rooms = {c.name: c.id for c in emu.channels.values() if c.name.startswith("inc-")}
        assert len(rooms) == 6
        # Every declare paged Bob (both pagers saw each page due); escalating by hand, each time through the other
        # process, pages Carol.
        deadline = time.monotonic() + 20
        while sum(page_dms(emu, BOB).values()) < 6:
            assert time.monotonic() < deadline, f"page DMs to Bob: {page_dms(emu, BOB)}"
            time.sleep(0.1)
        for i, room in enumerate(rooms.values()):
            drivers[(i + 1) % 2].slash_command("/incident", "escalate", user="alice", channel=room)
        deadline = time.monotonic() + 20
        while sum(page_dms(emu, CAROL).values()) < 6:
            assert time.monotonic() < deadline, f"page DMs to Carol: {page_dms(emu, CAROL)}"
            time.sleep(0.1)
        for i, room in enumerate(rooms.values()):  # stop the cadence everywhere
            drivers[i % 2].slash_command("/incident", "resolve", user="alice", channel=room)

        def settled() -> bool:
            with clean_db.connect() as conn:
                return conn.execute(select(Effect.id).where(Effect.status == "pending").limit(1)).first() is None

        deadline = time.monotonic() + 20
        while not settled():
            assert time.monotonic() < deadline, "outbox did not drain"
            time.sleep(0.1)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(15)

    with clean_db.connect() as conn:
        due_points = conn.execute(
            select(TimelineEvent.incident_id, TimelineEvent.id, TimelineEvent.data)
            .where(TimelineEvent.kind == "reminder")
            .order_by(TimelineEvent.id)
        ).all()
    per_point = Counter((incident_id, data["due_at"]) for incident_id, _, data in due_points)
    assert len(due_points) >= 18  # at least three reminders per incident were due and sent
    assert max(per_point.values()) == 1  # no due point claimed twice
    posted = Counter(
        outbox_key(m) for room in rooms.values() for m in emu.messages(room) if ":reminder:" in outbox_key(m)
    )
    assert max(posted.values()) == 1  # nothing posted twice
    # Nothing lost: every reminder was posted, except one a later reminder of its incident stood for (the
    # outbox fell behind the cadence on a busy machine: the room hears the latest, once) and an incident's
    # last one, which may race its resolve (dropped as no longer due).
    said = {(incident_id, data["miss"]) for incident_id, _, data in due_points if _posted(posted, incident_id, data)}
    last = {incident_id: event_id for incident_id, event_id, _ in due_points}
    missing = [
        (incident_id, event_id)
        for incident_id, event_id, data in due_points
        if not _posted(posted, incident_id, data)
        and not any(i == incident_id and miss > data["miss"] for i, miss in said)
    ]
    assert all(last[incident_id] == event_id for incident_id, event_id in missing), _outbox_story(clean_db, missing)
    for user in (BOB, CAROL):  # one page DM per incident to each, none twice
        dms = page_dms(emu, user)
        assert len(dms) == 6 and max(dms.values()) == 1, (user, dms)
    with clean_db.connect() as conn:
        notified = conn.execute(select(PageNotification.user_id)).scalars().all()
    assert Counter(notified) == {BOB: 6, CAROL: 6}


def _outbox_story(clean_db: Engine, missing: list[tuple[int, int]]) -> str:
    """What the outbox did for the incidents whose reminders never reached their room: the failure's evidence."""
    incidents = sorted({incident_id for incident_id, _ in missing})
    with clean_db.connect() as conn:
        rows = conn.execute(
            select(
                Effect.incident_id,
                Effect.id,
                Effect.kind,
                Effect.lane,
                Effect.status,
                Effect.attempts,
                Effect.created_at,
                Effect.done_at,
                Effect.last_error,
                Effect.payload,
            )
            .where(Effect.incident_id.in_(incidents))
            .order_by(Effect.id)
        ).all()
    return f"missing {missing}\n" + "\n".join(str(tuple(row)) for row in rows)


def _posted(posted: Counter[str], incident_id: int, data: dict[str, Any]) -> bool:
    """Whether the room reminder for this due point reached Slack."""
    return reminder_key(incident_id, datetime.fromisoformat(data["last_update_at"]), data["miss"], "room") in posted
