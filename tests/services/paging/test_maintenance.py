"""A service in maintenance: its declares page nobody until the window ends, then paging resumes (also when the
window is ended early) and the war room is told."""

from datetime import timedelta

from firebell.services.context import Context
from firebell.services.oncall_maintenance import end_maintenance, start_maintenance
from firebell.services.page_claims import send_due_pages
from tests.clock import Clock
from tests.services.paging.conftest import declare, events, later, notices, notified, pages


def test_a_service_in_maintenance_pages_nobody_until_its_window_ends(ctx: Context, clock: Clock) -> None:
    start_maintenance(ctx, "checkout", clock.now, clock.now + timedelta(hours=2), by="U09DECL")
    incident = declare(ctx)
    assert send_due_pages(ctx) == 1
    assert notified(ctx, incident) == []
    [held] = events(ctx, incident, "page_held")
    assert held.text == "Paging held: checkout is in maintenance for 2h"
    assert notices(ctx, "page_held")[0]["service"] == "checkout"
    assert later(ctx, clock, timedelta(hours=1, minutes=59)) == 0
    assert later(ctx, clock, timedelta(minutes=1)) == 1
    assert notified(ctx, incident) == [("U02BOB", 0, 0)]
    assert [e.text for e in events(ctx, incident, "page_resumed")] == ["Maintenance of checkout ended: paging resumed"]
    assert len(notices(ctx, "page_resumed")) == 1
    # The step's wait counts from the end of the window, not from the declare.
    assert later(ctx, clock, timedelta(minutes=4, seconds=59)) == 0
    assert later(ctx, clock, timedelta(seconds=1)) == 1


def test_ending_maintenance_early_resumes_held_pages_at_once(ctx: Context, clock: Clock) -> None:
    start_maintenance(ctx, "checkout", clock.now, clock.now + timedelta(hours=2), by="U09DECL")
    incident = declare(ctx)
    send_due_pages(ctx)
    clock.advance(timedelta(minutes=10))
    end_maintenance(ctx, "checkout", by="U09DECL")
    assert pages(ctx, incident)[0].next_due_at == clock.now
    assert send_due_pages(ctx) == 1
    assert notified(ctx, incident) == [("U02BOB", 0, 0)]
