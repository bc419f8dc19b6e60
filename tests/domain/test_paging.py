"""The pure paging plan: what one look at a due page notifies, where the page then stands, and when it is due."""

from datetime import UTC, datetime, timedelta

import pytest

from firebell.domain.oncall.escalation import Position, Step
from firebell.domain.paging import PageTarget, TargetKind, by_hand, elapsed, plan

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
STEPS = (Step(("schedule:a",), timedelta(minutes=5)), Step(("user:U1",), timedelta(minutes=10)))


def test_a_new_page_notifies_its_first_step_and_is_due_when_it_escalates() -> None:
    result = plan(STEPS, 1, Position(0, 0, T0), notified=False, now=T0)
    assert result.notify == (Position(0, 0, T0),)
    assert result.due == T0 + timedelta(minutes=5) and not result.exhausted


def test_a_stall_notifies_every_step_passed_through_counted_on_the_schedule() -> None:
    result = plan(STEPS, 1, Position(0, 0, T0), notified=True, now=T0 + timedelta(minutes=16))
    at5, at15 = T0 + timedelta(minutes=5), T0 + timedelta(minutes=15)
    assert result.notify == (Position(0, 1, at5), Position(1, 0, at15))
    assert result.due == at15 + timedelta(minutes=5)


def test_a_page_that_ran_out_during_a_stall_still_tells_its_last_step_with_a_full_wait() -> None:
    now = T0 + timedelta(hours=3)
    result = plan(STEPS, 1, Position(0, 0, T0), notified=True, now=now)
    assert result.notify[-1].step == 1 and result.notify[-1].round == 1
    assert not result.exhausted and result.due == now + timedelta(minutes=10)


def test_after_the_last_wait_of_the_last_round_the_page_is_exhausted() -> None:
    last = Position(1, 1, T0)
    result = plan(STEPS, 1, last, notified=True, now=T0 + timedelta(minutes=10))
    assert result.exhausted and result.notify == () and result.due is None


def test_a_policy_that_lost_steps_keeps_the_page_on_its_last_step() -> None:
    result = plan(STEPS[:1], 0, Position(0, 1, T0), notified=True, now=T0 + timedelta(minutes=1))
    assert result.position == Position(0, 0, T0) and result.due == T0 + timedelta(minutes=5)


def test_by_hand_moves_to_the_next_step_now_and_wraps_into_the_next_round() -> None:
    now = T0 + timedelta(minutes=1)
    assert by_hand(STEPS, 1, Position(0, 0, T0), now).position == Position(0, 1, now)
    assert by_hand(STEPS, 1, Position(0, 1, T0), now).position == Position(1, 0, now)
    assert by_hand(STEPS, 1, Position(1, 1, T0), now).exhausted


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0s"), (45, "45s"), (120, "2m"), (133, "2m 13s"), (3600, "1h"), (3720, "1h 2m")]
)
def test_elapsed_reads_like_a_stopwatch(seconds: int, text: str) -> None:
    assert elapsed(timedelta(seconds=seconds)) == text


def test_targets_round_trip_and_bad_ones_name_the_kinds() -> None:
    assert PageTarget.parse("service:checkout") == PageTarget(TargetKind.SERVICE, "checkout")
    assert str(PageTarget(TargetKind.USER, "U1")) == "user:U1"
    with pytest.raises(ValueError, match="service:<name>, policy:<name>, schedule:<name>, user:<name>"):
        PageTarget.parse("team:x")
