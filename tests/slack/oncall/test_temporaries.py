"""`/oncall temporary`: a temporary schedule replaces the rotation for its window; overlapping ones are refused."""

from datetime import UTC, datetime, timedelta

from firebell.services.oncall.answers import on_call, shifts_between
from firebell.services.oncall.temporaries import add_temporary, list_temporaries
from tests.clock import Clock
from tests.harness import Firebell
from tests.slack.oncall.conftest import ALICE, BOB, DAVE, ERIN, oncall

HOUR = timedelta(hours=1)


def test_a_temporary_schedule_replaces_the_rotation_in_its_window_then_the_rotation_resumes(
    firebell: Firebell, clock: Clock
) -> None:
    ctx = firebell.runtime.ctx
    made = oncall(firebell, "temporary checkout-primary 2026-01-06 2026-01-08 @bob @erin", user="dave")
    assert "Temporary schedule 1 replaces the rotation of *checkout-primary*" in made
    assert f"<@{BOB}>, <@{ERIN}> (together)" in made
    [stored] = list_temporaries(ctx, "checkout-primary")
    berlin_midnight = datetime(2026, 1, 5, 23, tzinfo=UTC)  # 2026-01-06 00:00 in Berlin
    assert (stored.start, stored.end, stored.created_by) == (berlin_midnight, berlin_midnight + 48 * HOUR, DAVE)

    assert on_call(ctx, "checkout-primary", berlin_midnight - HOUR).users == (DAVE,)  # outside its hours: Dave
    inside = on_call(ctx, "checkout-primary", berlin_midnight + 10 * HOUR)  # Alice's hours, but replaced
    assert (inside.users, inside.until) == ((BOB, ERIN), berlin_midnight + 48 * HOUR)
    assert on_call(ctx, "checkout-primary", berlin_midnight + 58 * HOUR).users == (ALICE,)  # Thursday 10:00 Berlin

    spans = shifts_between(ctx, "checkout-primary", berlin_midnight, berlin_midnight + 48 * HOUR)
    assert [(s.users, s.temporary_id) for s in spans] == [((BOB, ERIN), 1)]
    over_rest = firebell.api(
        "/api/v1/schedules/checkout-primary/shifts", **{"from": "2026-01-06T00:00:00Z", "to": "2026-01-06T12:00:00Z"}
    ).json()
    assert [(s["users"], s["temporary_id"]) for s in over_rest] == [([BOB, ERIN], 1)]
    fortnight = oncall(firebell, "checkout-primary")
    assert f"<@{BOB}>, <@{ERIN}>  _(temporary schedule 1 by <@{DAVE}>)_" in fortnight

    board = oncall(firebell, "")
    assert f"then <@{DAVE}>" in board  # now is before the temporary schedule


def test_turns_rotate_the_people_given(firebell: Firebell) -> None:
    ctx = firebell.runtime.ctx
    made = oncall(firebell, "temporary search 2026-01-10 09:00 2026-01-13 09:00 @alice @dave every 1d")
    assert "(in 3 turns)" in made
    day = datetime(2026, 1, 10, 9, tzinfo=UTC)
    assert [on_call(ctx, "search", day + timedelta(days=d, hours=1)).users for d in range(4)] == [
        (ALICE,),
        (DAVE,),
        (ALICE,),
        (ERIN,),  # the rotation again: 13 January is Erin's
    ]


def test_overlapping_temporaries_are_refused_and_removal_keeps_the_record(firebell: Firebell, clock: Clock) -> None:
    ctx = firebell.runtime.ctx
    oncall(firebell, "temporary search 2026-01-10 2026-01-12 @alice")
    refused = oncall(firebell, "temporary search 2026-01-11 2026-01-14 @dave")
    assert ":warning:" in refused
    assert "search already has temporary schedule 1 from 2026-01-10T00:00:00Z to 2026-01-12T00:00:00Z" in refused
    assert "`/oncall temporary search remove 1`" in refused
    assert [t.id for t in list_temporaries(ctx, "search")] == [1]
    assert "Temporary schedule 2" in oncall(
        firebell, "temporary search 2026-01-12 2026-01-14 @dave"
    )  # touching is fine

    listed = oncall(firebell, "temporaries search")
    assert "*1*" in listed and "*2*" in listed and f"<@{DAVE}>" in listed
    removed = oncall(firebell, "temporary search remove 1", user="bob")
    assert "Temporary schedule 1 on *search*" in removed
    assert [t.id for t in list_temporaries(ctx, "search")] == [2]
    assert on_call(ctx, "search", datetime(2026, 1, 10, 12, tzinfo=UTC)).users == (BOB,)  # the rotation again
    assert "No temporary schedule 7 on schedule 'search'" in oncall(firebell, "temporary search remove 7")


def test_temporaries_made_at_the_same_moment_cannot_both_succeed(firebell: Firebell) -> None:
    """The overlap check and the insert run under the schedule's lock: one wins, the other is refused."""
    import threading

    ctx = firebell.runtime.ctx
    start = datetime(2026, 2, 1, tzinfo=UTC)
    errors: list[str] = []

    def make(user: str) -> None:
        try:
            add_temporary(ctx, "search", start, start + 24 * HOUR, [user], by=user)
        except Exception as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=make, args=(u,)) for u in (ALICE, DAVE, ERIN, BOB)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(list_temporaries(ctx, "search")) == 1
    assert len(errors) == 3 and all("overlaps" in e for e in errors)


def test_bad_temporaries_are_refused_naming_what_is_wrong(firebell: Firebell) -> None:
    cases = {
        "temporary search 2026-01-10 2026-01-12": "Say who is on call in the temporary schedule",
        "temporary search 2026-01-12 2026-01-10 @bob": "is not after the start",
        "temporary search 2025-12-01 2025-12-02 @bob": "lies in the past",
        "temporary nope 2026-01-10 2026-01-12 @bob": "No schedule 'nope'",
        "temporary search 2026-01-10 2026-01-12 @bob every 10m": "Turns of 0:10:00 are too short",
        "temporary search 2026-01-10 2026-01-12 bob": "`bob` is not a user mention",
    }
    for text, expected in cases.items():
        answer = oncall(firebell, text)
        assert ":warning:" in answer and expected in answer, (text, answer)
    assert list_temporaries(firebell.runtime.ctx, "search") == []
