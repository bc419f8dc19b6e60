"""`kill -9` in a burst of declares: every acknowledged command is carried out exactly once after a restart."""

import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select

from firebell.emulator import EmulatorServer, SlackDriver, SlackEmulator
from firebell.store.models import InboxEntry, Incident
from tests.cli.serve import serve_env, start_serve, wait_healthy
from tests.harness import free_port

DECLARES = 30
KILL_AFTER_ACKS = 17


@pytest.mark.slow
def test_sigkill_in_a_burst_loses_and_doubles_no_acknowledged_command(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, tmp_path: Path
) -> None:
    env = serve_env(
        emu,
        slack,
        database_url,
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = start_serve(port, env, first_log)
    acked: list[str] = []
    lock = threading.Lock()
    try:
        wait_healthy(url, first, first_log)
        driver = SlackDriver(emu, slack, app_url=f"{url}/slack/events")

        def declare(i: int) -> None:
            title = f"Crash burst {i}"
            try:
                result = driver.slash_command("/incident", f"declare sev2 {title}", user="alice", channel="general")
            except httpx.TransportError:
                return  # not acknowledged: the process died first
            if result.status_code == 200:
                with lock:
                    acked.append(title)
                    if len(acked) == KILL_AFTER_ACKS:
                        first.send_signal(signal.SIGKILL)

        with ThreadPoolExecutor(6) as pool:  # six at a time, as people declaring at once
            list(pool.map(declare, range(DECLARES)))
        first.wait(10)
        assert first.returncode == -signal.SIGKILL
    finally:
        if first.poll() is None:
            first.kill()
    assert len(acked) >= KILL_AFTER_ACKS

    restarted = datetime.now(UTC)
    second = start_serve(port, env, second_log)
    try:
        wait_healthy(url, second, second_log)
        deadline = time.monotonic() + 60

        def carried_out() -> bool:
            with clean_db.connect() as conn:
                waiting = conn.execute(select(InboxEntry.id).where(InboxEntry.status == "pending").limit(1)).first()
                rooms = conn.execute(select(Incident.id).where(Incident.kickoff_ts.is_(None)).limit(1)).first()
            return waiting is None and rooms is None

        while not carried_out():
            assert time.monotonic() < deadline, f"not carried out after the restart:\n{second_log.read_text()}"
            time.sleep(0.2)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(15)

    with clean_db.connect() as conn:
        titles = Counter(conn.execute(select(Incident.title)).scalars())
        statuses = Counter(conn.execute(select(InboxEntry.status).where(InboxEntry.kind == "command")).scalars())
        recovered = conn.execute(
            select(InboxEntry.id).where(InboxEntry.kind == "command", InboxEntry.done_at > restarted)
        ).all()
    assert all(titles[title] == 1 for title in acked), {t: titles[t] for t in acked if titles[t] != 1}
    assert max(titles.values()) == 1  # nothing doubled, acknowledged or not
    assert set(statuses) == {"done"}
    assert recovered, "the kill came after every acknowledged command was done: nothing was recovered"
    rooms = {c.name for c in emu.channels.values() if c.name.startswith("inc-")}
    assert len(rooms) == len(titles)  # every incident, recovered ones too, has its war room
