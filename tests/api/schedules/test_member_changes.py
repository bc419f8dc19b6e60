"""A member removed from the policy between two starts of Firebell: whoever is on call keeps the shift until it
ends, the next turn goes to whoever was next, and the layer is reanchored once however often Firebell
starts or reads it (at startup, or lazily on read by a process that has not synced yet)."""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from firebell.config import policy_from_mapping
from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from firebell.services.context import Context
from firebell.services.oncall.answers import on_call
from firebell.store.database import Database
from firebell.store.models import OncallAnchor
from tests.clock import Clock
from tests.harness import Firebell, running_firebell

# Daily at 09:00 UTC from Thursday 1 January 2026: A, B, C, A, B, ...
START = datetime(2026, 1, 1, 9, tzinfo=UTC)
DAY = timedelta(days=1)


def ops(members: list[str]) -> Policy:
    layer: dict[str, Any] = {"members": members, "rotate_every": "1d", "handoff": "09:00", "start": "2026-01-01"}
    return policy_from_mapping({"schedules": [{"name": "ops", "layers": [layer]}]}, source="test")


def who(firebell: Firebell, at: datetime) -> tuple[list[str], str | None]:
    response = firebell.api("/api/v1/schedules/ops/oncall", at=at.isoformat())
    assert response.status_code == 200, response.text
    body = response.json()
    return body["users"], body["until"]


def anchors(engine: Engine) -> list[tuple[int, str, int, datetime]]:
    query = select(OncallAnchor.cell, OncallAnchor.user_id, OncallAnchor.next_index, OncallAnchor.updated_at)
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]  # type: ignore[misc]


def test_a_removed_member_on_call_keeps_the_shift_until_it_ends(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine
) -> None:
    clock = Clock(START + DAY + timedelta(hours=3))  # Friday 12:00: B's turn (cell 1)
    with running_firebell(emu, slack, database_url, ops(["UA1", "UB2", "UC3"]), clock=clock) as first:
        assert who(first, clock.now) == (["UB2"], "2026-01-03T09:00:00Z")
        assert who(first, START + 2 * DAY) == (["UC3"], "2026-01-04T09:00:00Z")
    first_anchor = anchors(clean_db)

    # B leaves the rotation while on call. Firebell restarts with the new list a few times.
    smaller = ops(["UA1", "UC3"])
    for _ in range(2):
        with running_firebell(emu, slack, database_url, smaller, clock=clock) as again:
            assert who(again, clock.now) == (["UB2"], "2026-01-03T09:00:00Z")  # B keeps today's shift
            assert who(again, START + 2 * DAY) == (["UC3"], "2026-01-04T09:00:00Z")  # C, who was next
            assert who(again, START + 3 * DAY)[0] == ["UA1"]
            assert who(again, START + 4 * DAY)[0] == ["UC3"]
        clock.advance(timedelta(minutes=5))
    # Reanchored once, at the first start with the new list; the second start found it in step.
    [(cell, user, next_index, updated_at)] = anchors(clean_db)
    assert (cell, user, next_index) == (1, "UB2", 1)  # cell 1 is B's; then members[1] of [A, C] = C
    assert updated_at == START + DAY + timedelta(hours=3)
    assert first_anchor != anchors(clean_db)

    # Removing a member who is not on call (A, on Saturday noon when C is) does not change who is: C, now
    # the only member, stays on call with no handoff ahead.
    clock.now = START + 2 * DAY + timedelta(hours=3)
    with running_firebell(emu, slack, database_url, ops(["UC3"]), clock=clock) as later:
        assert who(later, clock.now) == (["UC3"], None)


def test_a_process_that_reads_before_syncing_reanchors_lazily_and_once(clean_db: Engine) -> None:
    """A read through the use case (no runtime start) finds the stored layer out of step and reanchors it;
    the next read, on another Context of the same database, finds it in step."""
    clock = Clock(START + DAY + timedelta(hours=3))
    before = Context(db=Database(clean_db), policy=ops(["UA1", "UB2", "UC3"]), clock=clock)
    assert on_call(before, "ops", clock.now).users == ("UB2",)
    after = Context(db=Database(clean_db), policy=ops(["UA1", "UC3"]), clock=clock)
    assert on_call(after, "ops", clock.now).users == ("UB2",)
    reanchored = anchors(clean_db)
    clock.advance(timedelta(hours=1))
    other = Context(db=Database(clean_db), policy=ops(["UA1", "UC3"]), clock=clock)
    assert on_call(other, "ops", START + 2 * DAY).users == ("UC3",)
    assert anchors(clean_db) == reanchored
