"""A service in maintenance: its declares page nobody until the window ends, then paging resumes (also when the
window is ended early) and the war room is told."""

from datetime import timedelta

from sqlalchemy import Engine, select

from firebell.services.context import Context
from firebell.services.oncall.maintenance import end_maintenance, start_maintenance
from firebell.services.paging.claims import send_due_pages
from firebell.services.paging.responses import escalate
from firebell.store.models import Effect
from tests.clock import Clock
from tests.services.paging.conftest import declare, events, later, notices, notified, pages, paging_policy


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


def test_notifiers_are_told_again_when_paging_resumes(clean_db: Engine, clock: Clock) -> None:
    from firebell.store.database import Database

    notifier = {"name": "phone", "kind": "ntfy", "url": "https://ntfy.example.com/oncall-bob"}
    ctx = Context(
        db=Database(clean_db),
        policy=paging_policy(paging={"page_on_declare": "SEV2", "notifiers": [notifier]}),
        clock=clock,
    )
    incident = declare(ctx)
    send_due_pages(ctx)  # Bob, and his phone
    start_maintenance(ctx, "checkout", clock.now, clock.now + timedelta(hours=1), by="U09DECL")
    later(ctx, clock, timedelta(minutes=5))  # the next look holds the page where it stands
    end_maintenance(ctx, "checkout", by="U09DECL")
    send_due_pages(ctx)  # resumes at the step it was held on: Bob is told afresh
    with ctx.db.read() as session:
        keys = list(session.scalars(select(Effect.idem_key).where(Effect.kind == "notify").order_by(Effect.id)))
    assert notified(ctx, incident) == [("U02BOB", 0, 0), ("U02BOB", 0, 0)]  # two runs through the escalation
    assert len(set(keys)) == 2  # his phone rings again too (the run is part of the notifier's key)


def test_escalating_during_maintenance_says_the_step_waits_for_the_window(ctx: Context, clock: Clock) -> None:
    start_maintenance(ctx, "checkout", clock.now, clock.now + timedelta(hours=2), by="U09DECL")
    incident = declare(ctx)
    send_due_pages(ctx)
    answer = escalate(ctx, user="U09DECL", channel_id="C0ROOM1")
    assert answer.text == (
        "checkout is in maintenance until 2026-11-24 12:00 UTC: step 2 of the page of INC-1 is paged when it ends "
        "(end it early with `/oncall maintenance checkout end`)."
    )
    [escalated] = events(ctx, incident, "page_escalated")
    assert (
        escalated.text == "Escalated by hand: step 2 is paged when checkout's maintenance ends (2026-11-24 12:00 UTC)"
    )
    assert notices(ctx, "page_escalated")[0]["held_until"] == "2026-11-24T12:00:00+00:00"
    send_due_pages(ctx)
    assert notified(ctx, incident) == []  # held, as the answer said
