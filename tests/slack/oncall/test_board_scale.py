"""`/oncall` with 200 schedules and a year of overrides: every answer within Slack's limits (the emulator
refuses what Slack would), and the store read in a fixed handful of queries, not once per schedule or per day."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert

from firebell.config import policy_from_mapping
from firebell.domain.policy import Policy
from firebell.services.oncall.board import board, shifts_of
from firebell.store.models import OncallOverride
from tests.harness import Firebell
from tests.slack.oncall.conftest import ALICE, BOB, DAVE, ERIN, START, oncall_answers, shown

SCHEDULES = 200
PEOPLE = [ALICE, BOB, DAVE, ERIN]


@pytest.fixture
def policy() -> Policy:
    schedules: list[dict[str, Any]] = []
    for i in range(SCHEDULES):
        members = [PEOPLE[(i + k) % 4] for k in range(3)]
        layer: dict[str, Any] = {"members": members, "start": "2025-06-02"}
        if i % 2:
            layer |= {"rotate_every": "1d", "handoff": "09:00"}
        else:
            layer |= {"only": "mon-fri 08:00-20:00"}
        schedules.append(
            {
                "name": f"team-{i:03d}-primary-with-a-longish-name",
                "time_zone": "Europe/Berlin" if i % 3 else "America/New_York",
                "layers": [layer, {"members": [PEOPLE[i % 4]]}],
            }
        )
    return policy_from_mapping({"schedules": schedules}, source="test")


def _year_of_overrides(firebell: Firebell) -> None:
    """A weekly 4-hour override on every schedule, from half a year ago to half a year ahead."""
    rows = [
        {
            "schedule": config.name,
            "user_id": PEOPLE[(week + s) % 4],
            "starts_at": START + timedelta(weeks=week, hours=s % 24),
            "ends_at": START + timedelta(weeks=week, hours=s % 24 + 4),
            "created_by": ALICE,
            "created_at": START,
        }
        for s, config in enumerate(firebell.runtime.ctx.policy.schedules)
        for week in range(-26, 26)
    ]
    with firebell.runtime.ctx.db.transaction() as session:
        session.execute(insert(OncallOverride), rows)


@pytest.fixture
def statements(firebell: Firebell) -> Iterator[list[str]]:
    """The SQL statements on on-call tables Firebell runs while the test looks (the gateway and the inbox poll
    meanwhile: theirs are left out)."""
    seen: list[str] = []
    engine = firebell.runtime.ctx.db.engine

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "oncall_" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


def test_the_board_of_200_schedules_fits_slack_and_reads_the_store_a_few_times(
    firebell: Firebell, statements: list[str]
) -> None:
    _year_of_overrides(firebell)
    ctx = firebell.runtime.ctx
    board(ctx, START)  # the first read syncs every schedule's anchors; later reads only read them
    statements.clear()
    rows = board(ctx, START)
    assert len(rows) == SCHEDULES and all(r.until is not None and r.next_users for r in rows)
    assert len(statements) <= 6, statements
    statements.clear()
    shifts_of(ctx, ALICE, START, timedelta(days=30))
    assert len(statements) <= 6, statements

    answers = oncall_answers(firebell, "")
    assert 1 < len(answers) <= 5  # through one response_url: at most five posts
    text = shown(answers)
    listed = sum(f"*team-{i:03d}-primary-with-a-longish-name*:" in text for i in range(SCHEDULES))
    more = [a for a in answers if "more schedules not shown here" in str(a)]
    assert listed == SCHEDULES or (more and f"+{SCHEDULES - listed} more schedules" in str(more[0]))
    for answer in answers:
        assert len(answer["blocks"]) <= 50
        assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in answer["blocks"])
        assert len(str(answer["blocks"])) < 14_000


def test_one_schedule_and_my_shifts_fit_slack_with_a_year_of_overrides(firebell: Firebell) -> None:
    _year_of_overrides(firebell)
    fortnight = oncall_answers(firebell, "team-001-primary-with-a-longish-name")
    assert "(override " in shown(fortnight)
    mine = oncall_answers(firebell, "me", user="alice")
    text = shown(mine)
    assert "Your shifts" in text and "_(override)_" in text
    assert all(len(a["blocks"]) <= 50 for a in [*fortnight, *mine])


def test_nobody_waits_long_for_the_board(firebell: Firebell) -> None:
    """Not a benchmark (the machine is shared): a generous bound that per-schedule or per-day queries would break."""
    _year_of_overrides(firebell)
    ctx = firebell.runtime.ctx
    board(ctx, START)
    began = datetime.now(UTC)
    board(ctx, START)
    assert datetime.now(UTC) - began < timedelta(seconds=10)
