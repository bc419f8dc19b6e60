"""Escalation on the schedule: steps at their due points, rounds, exhaustion, catch-up after a stall, by hand."""

from datetime import UTC, datetime, timedelta

from firebell.domain.oncall.escalation import Position, Step, advance, due_at, escalate_now

T0 = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
STEPS = (Step(("schedule:primary",), timedelta(minutes=5)), Step(("user:U04ERIN",), timedelta(minutes=10)))
START = Position(0, 0, T0)


def test_nothing_moves_before_the_step_is_due() -> None:
    result = advance(STEPS, 2, START, T0 + timedelta(minutes=5) - timedelta(microseconds=1))
    assert result.reached == () and not result.exhausted and result.due == T0 + timedelta(minutes=5)


def test_the_next_step_at_exactly_its_due_point() -> None:
    result = advance(STEPS, 2, START, T0 + timedelta(minutes=5))
    assert result.reached == (Position(0, 1, T0 + timedelta(minutes=5)),)
    assert result.due == T0 + timedelta(minutes=15)


def test_rounds_repeat_then_the_page_is_exhausted() -> None:
    position, exhausted_at = START, None
    reached: list[Position] = []
    for minute in range(60):
        result = advance(STEPS, 2, position, T0 + timedelta(minutes=minute))
        reached.extend(result.reached)
        position = reached[-1] if reached else position
        if result.exhausted:
            exhausted_at = minute
            break
    assert [(p.round, p.step) for p in reached] == [(0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]
    assert exhausted_at == 45  # three rounds of 15 minutes


def test_after_a_stall_every_step_passed_comes_back_at_once_each_on_its_own_due_point() -> None:
    result = advance(STEPS, 2, START, T0 + timedelta(minutes=21))
    assert [(p.round, p.step, p.since) for p in result.reached] == [
        (0, 1, T0 + timedelta(minutes=5)),
        (1, 0, T0 + timedelta(minutes=15)),
        (1, 1, T0 + timedelta(minutes=20)),
    ]
    assert result.due == T0 + timedelta(minutes=30)  # counted from the due point, not from the late look
    assert advance(STEPS, 0, START, T0 + timedelta(hours=5)).exhausted


def test_escalating_by_hand_moves_at_once_and_restarts_the_clock() -> None:
    now = T0 + timedelta(minutes=2)
    result = escalate_now(STEPS, 2, START, now)
    assert result.reached == (Position(0, 1, now),) and result.due == now + timedelta(minutes=10)
    assert due_at(STEPS, result.reached[0]) == now + timedelta(minutes=10)
    assert escalate_now(STEPS, 0, Position(0, 1, now), now).exhausted
