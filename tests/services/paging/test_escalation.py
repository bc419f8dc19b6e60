"""Escalation on the clock: who is notified when, exactly once, through every round, and after a stall."""

from datetime import timedelta

from firebell.domain.paging import PageStatus
from firebell.services.context import Context
from firebell.services.paging.claims import send_due_pages
from tests.clock import Clock
from tests.services.paging.conftest import declare, events, later, notices, notified, page_dms, pages


def test_a_declare_at_the_threshold_pages_whoever_is_on_call_at_once_and_only_once(ctx: Context) -> None:
    incident = declare(ctx)
    assert notified(ctx, incident) == []  # the page is committed with the incident; the pager tells people
    assert send_due_pages(ctx) == 1
    assert notified(ctx, incident) == [("U02BOB", 0, 0)]
    assert page_dms(ctx) == [f"page:{pages(ctx, incident)[0].id}:0:0:0:U02BOB"]
    assert send_due_pages(ctx) == 0  # nothing is due again until the step's wait runs out
    assert len(page_dms(ctx)) == 1
    assert [(e.data or {})["user"] for e in events(ctx, incident, "page_notified")] == ["U02BOB"]
    assert notices(ctx, "page_notified")[0]["users"] == ["U02BOB"]


def test_below_the_threshold_or_without_a_service_nobody_is_paged(ctx: Context) -> None:
    quiet = declare(ctx, severity="SEV3", channel="C0ROOM1")
    unnamed = declare(ctx, severity="SEV2", service=None, channel="C0ROOM2")
    send_due_pages(ctx)
    assert pages(ctx, quiet) == [] and pages(ctx, unnamed) == []


def test_unanswered_steps_escalate_on_time_through_every_round_then_the_announcement_is_told(
    ctx: Context, clock: Clock
) -> None:
    incident = declare(ctx)
    send_due_pages(ctx)
    assert later(ctx, clock, timedelta(minutes=4, seconds=59)) == 0
    assert later(ctx, clock, timedelta(seconds=1)) == 1  # exactly at escalate_after
    assert notified(ctx, incident)[1:] == [("U03CAROL", 0, 1), ("U04ERIN", 0, 1)]
    later(ctx, clock, timedelta(minutes=10))  # round 2 (repeat: 1) starts over at step 1
    later(ctx, clock, timedelta(minutes=5))
    assert notified(ctx, incident)[3:] == [("U02BOB", 1, 0), ("U03CAROL", 1, 1), ("U04ERIN", 1, 1)]
    assert pages(ctx, incident)[0].status == PageStatus.ACTIVE.value
    later(ctx, clock, timedelta(minutes=10))
    page = pages(ctx, incident)[0]
    assert page.status == PageStatus.EXHAUSTED.value and page.next_due_at is None
    [unanswered] = events(ctx, incident, "page_unanswered")
    assert (unanswered.data or {})["tried"] == ["U02BOB", "U03CAROL", "U04ERIN"]
    assert {n["target"] for n in notices(ctx, "page_unanswered")} == {"room", "announcement_thread"}
    assert later(ctx, clock, timedelta(hours=1)) == 0
    assert len(notified(ctx, incident)) == 6


def test_after_a_stall_across_several_due_points_each_person_is_notified_once(ctx: Context, clock: Clock) -> None:
    incident = declare(ctx)
    send_due_pages(ctx)
    # Down for 16 minutes: step 2 (at 5m) and round 2's step 1 (at 15m) both came and went.
    assert later(ctx, clock, timedelta(minutes=16)) == 1
    told = notified(ctx, incident)[1:]
    assert sorted(u for u, _, _ in told) == ["U02BOB", "U03CAROL", "U04ERIN"]
    assert len(page_dms(ctx)) == 4  # Bob at the start, then each of the three once for the stall
    # Counted on the schedule: round 2's step 1 began at 15m, so its step 2 is due at 20m, not 16m + 5m.
    assert later(ctx, clock, timedelta(minutes=3, seconds=59)) == 0
    assert later(ctx, clock, timedelta(seconds=1)) == 1


def test_a_step_that_reaches_nobody_passes_on_at_once(ctx: Context, clock: Clock) -> None:
    incident = declare(ctx, service="search")  # step 1 is the nights schedule: nobody covers 10:00
    send_due_pages(ctx)
    assert notified(ctx, incident) == [("U04ERIN", 0, 1)]
    assert notices(ctx, "page_notified")[0]["nobody"] == ["schedule:nights"]


def test_the_most_severe_level_also_pages_the_incident_commanders(ctx: Context) -> None:
    incident = declare(ctx, severity="SEV1")
    send_due_pages(ctx)
    found = pages(ctx, incident)
    assert [(p.target, p.commanders) for p in found] == [("service:checkout", False), ("schedule:ic-rotation", True)]
    assert sorted(u for u, _, _ in notified(ctx, incident)) == ["U02BOB", "U05IVY"]


def test_resolving_ends_the_page_and_nothing_more_is_sent(ctx: Context, clock: Clock) -> None:
    from firebell.domain.lifecycle import Action
    from firebell.services.lifecycle import change_status
    from firebell.services.paging.delivery import page_dm

    incident = declare(ctx)
    send_due_pages(ctx)
    change_status(ctx, channel_id="C0ROOM1", actor="U09DECL", action=Action.RESOLVE)
    page = pages(ctx, incident)[0]
    assert page.status == PageStatus.CANCELLED.value and page.ended_at is not None
    assert page_dm(ctx, page.id, "U02BOB", 0, 0) is None  # a DM still queued is not sent
    assert later(ctx, clock, timedelta(hours=1)) == 0
    assert notified(ctx, incident) == [("U02BOB", 0, 0)]
    assert [e.text for e in events(ctx, incident, "page_ended")] == ["Paging stopped: the incident was resolved"]
