"""The handoff that began the stretch on call now: who came on, who went off."""

from datetime import UTC, datetime, timedelta

from firebell.domain.oncall.shift_changes import ShiftChange, latest_change

T0 = datetime(2026, 1, 5, tzinfo=UTC)
H = timedelta(hours=1)


def test_a_handoff_between_two_people() -> None:
    spans = [(T0, T0 + H, ("A",)), (T0 + H, T0 + 2 * H, ("B",))]
    assert latest_change(spans, T0 + 90 * timedelta(minutes=1)) == ShiftChange(T0 + H, ("B",), ("A",))


def test_spans_cut_without_a_change_of_people_are_one_stretch() -> None:
    # An override edge cuts B's shift in two: still one handoff, at the start of B's stretch.
    spans = [(T0, T0 + H, ("A",)), (T0 + H, T0 + 2 * H, ("B",)), (T0 + 2 * H, T0 + 3 * H, ("B",))]
    assert latest_change(spans, T0 + 2.5 * H) == ShiftChange(T0 + H, ("B",), ("A",))


def test_coming_on_after_nobody_and_going_off_to_nobody() -> None:
    spans = [(T0, T0 + H, ()), (T0 + H, T0 + 2 * H, ("A",)), (T0 + 2 * H, T0 + 3 * H, ())]
    assert latest_change(spans, T0 + 1.5 * H) == ShiftChange(T0 + H, ("A",), ())
    assert latest_change(spans, T0 + 2.5 * H) == ShiftChange(T0 + 2 * H, (), ("A",))


def test_a_gap_before_counts_as_nobody() -> None:
    spans = [(T0, T0 + H, ("A",)), (T0 + 2 * H, T0 + 3 * H, ("A",))]
    assert latest_change(spans, T0 + 2.5 * H) == ShiftChange(T0 + 2 * H, ("A",), ())


def test_someone_staying_on_is_neither_incoming_nor_outgoing() -> None:
    spans = [(T0, T0 + H, ("A",)), (T0 + H, T0 + 2 * H, ("A", "B"))]
    assert latest_change(spans, T0 + 1.5 * H) == ShiftChange(T0 + H, ("B",), ())


def test_no_change_in_sight_or_nothing_now() -> None:
    spans = [(T0, T0 + H, ("A",)), (T0 + H, T0 + 2 * H, ("A",))]
    assert latest_change(spans, T0 + 1.5 * H) is None  # the stretch began before the spans show
    assert latest_change(spans, T0 + 3 * H) is None
    assert latest_change([], T0) is None
