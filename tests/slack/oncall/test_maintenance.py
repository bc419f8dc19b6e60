"""`/oncall maintenance`: windows stored with who made them; `maintenance_until` as the paging engine asks it."""

from datetime import UTC, datetime, timedelta

from firebell.services.oncall.maintenance import list_maintenance, maintenance_until, start_maintenance
from tests.clock import Clock
from tests.harness import Firebell
from tests.slack.oncall.conftest import ALICE, oncall

HOUR = timedelta(hours=1)


def until(firebell: Firebell, service: str, at: datetime) -> datetime | None:
    """What the paging engine gets, asking inside a transaction of its own."""
    with firebell.runtime.ctx.db.transaction() as session:
        return maintenance_until(session, service, at)


def test_maintenance_for_a_while_holds_paging_until_it_ends_or_is_ended(firebell: Firebell, clock: Clock) -> None:
    now = clock.now
    made = oncall(firebell, "maintenance checkout 2h")
    assert ":construction: *checkout* is in maintenance now until" in made and "(2h)" in made
    [window] = list_maintenance(firebell.runtime.ctx, "checkout")
    assert (window.start, window.end, window.created_by) == (now, now + 2 * HOUR, ALICE)

    assert until(firebell, "checkout", now) == now + 2 * HOUR
    assert until(firebell, "checkout", now + HOUR) == now + 2 * HOUR
    assert until(firebell, "checkout", now + 2 * HOUR) is None  # the end is not in it
    assert until(firebell, "checkout", now - HOUR) is None  # nor before the start
    assert until(firebell, "search", now) is None  # nor another service

    listed = oncall(firebell, "maintenance")
    assert "*checkout*  :construction: now" in listed and f"_by <@{ALICE}>_" in listed

    clock.advance(30 * timedelta(minutes=1))
    ended = oncall(firebell, "maintenance checkout end", user="bob")
    assert "*checkout* is out of maintenance: paging is back on." in ended
    assert until(firebell, "checkout", clock.now) is None
    assert until(firebell, "checkout", now + 10 * timedelta(minutes=1)) == clock.now  # the record stays
    assert list_maintenance(firebell.runtime.ctx) == []
    assert "was not in maintenance" in oncall(firebell, "maintenance checkout end")


def test_a_planned_window_and_windows_that_follow_on_count_as_one(firebell: Firebell, clock: Clock) -> None:
    ctx = firebell.runtime.ctx
    made = oncall(firebell, "maintenance search 2026-01-06 02:00 2026-01-06 04:00")  # UTC
    assert "in maintenance from" in made
    start = datetime(2026, 1, 6, 2, tzinfo=UTC)
    assert until(firebell, "search", clock.now) is None
    assert until(firebell, "search", start) == start + 2 * HOUR
    start_maintenance(ctx, "search", start + HOUR, start + 3 * HOUR, by=ALICE)  # extends it
    start_maintenance(ctx, "search", start + 3 * HOUR, start + 5 * HOUR, by=ALICE)  # follows on
    start_maintenance(ctx, "search", start + 6 * HOUR, start + 7 * HOUR, by=ALICE)  # after a gap
    assert until(firebell, "search", start + 30 * timedelta(minutes=1)) == start + 5 * HOUR
    assert until(firebell, "search", start + 6 * HOUR) == start + 7 * HOUR
    assert "maintenance is called off" in oncall(firebell, "maintenance search end")
    assert until(firebell, "search", start) is None


def test_bad_maintenance_is_refused_naming_what_is_wrong(firebell: Firebell) -> None:
    cases = {
        "maintenance payments 2h": "No service 'payments'. Services: checkout, search.",
        "maintenance checkout 2025-12-01 10:00 2025-12-01 12:00": "lies in the past",
        "maintenance checkout 40d": "at most 30 days",
        "maintenance checkout soon": "needs when it starts and when it ends",
        "maintenance checkout 2026-01-06 04:00 2026-01-06 02:00": "is not after the start",
        "maintenance payments end": "No service 'payments'",
    }
    for text, expected in cases.items():
        answer = oncall(firebell, text)
        assert ":warning:" in answer and expected in answer, (text, answer)
    assert list_maintenance(firebell.runtime.ctx) == []
