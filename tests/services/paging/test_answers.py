"""Answers to pages: acknowledge (once per person), I can't, escalate by hand (even after an acknowledgement),
paging by hand, unreachable people, and a changed escalation policy re-targeting open pages."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from firebell.domain.errors import UsageError
from firebell.domain.paging import PageStatus
from firebell.services.context import Context
from firebell.services.paging.claims import send_due_pages
from firebell.services.paging.delivery import mark_unreachable
from firebell.services.paging.pages import retarget_pages
from firebell.services.paging.responses import acknowledge, decline, escalate, page_by_hand
from firebell.store.models import Incident, RoleAssignment
from firebell.store.paging_models import PageResponse
from tests.clock import Clock
from tests.services.paging.conftest import declare, events, later, notices, notified, page_dms, pages, paging_policy


def test_acknowledging_stops_the_escalation_for_everyone_and_is_logged_once_per_person(
    ctx: Context, clock: Clock
) -> None:
    incident = declare(ctx)
    send_due_pages(ctx)
    later(ctx, clock, timedelta(minutes=5))  # step 2: Carol and Erin
    page = pages(ctx, incident)[0]
    clock.advance(timedelta(seconds=13))
    answer = acknowledge(ctx, user="U03CAROL", page_id=page.id)
    assert answer.text == "You acknowledged the page of INC-1 (5m 13s)."
    assert acknowledge(ctx, user="U03CAROL", page_id=page.id).text == "You already acknowledged the page of INC-1."
    acknowledge(ctx, user="U04ERIN", channel_id="C0ROOM1")  # /incident ack in the war room, after Carol
    page = pages(ctx, incident)[0]
    assert (page.status, page.acknowledged_by, page.next_due_at) == (PageStatus.ACKNOWLEDGED.value, "U03CAROL", None)
    assert [(e.actor, (e.data or {})["first"]) for e in events(ctx, incident, "page_acknowledged")] == [
        ("U03CAROL", True),
        ("U04ERIN", False),
    ]
    assert [n["after_seconds"] for n in notices(ctx, "page_acknowledged")] == [313, 313]
    with ctx.db.read() as session:
        assert session.scalar(select(Incident.acknowledged_at).where(Incident.id == incident)) == page.acknowledged_at
        assert len(session.scalars(select(PageResponse)).all()) == 2
    assert later(ctx, clock, timedelta(hours=2)) == 0
    assert len(notified(ctx, incident)) == 3


def test_i_cant_passes_the_page_to_the_next_step_at_once(ctx: Context, clock: Clock) -> None:
    incident = declare(ctx)
    send_due_pages(ctx)
    page = pages(ctx, incident)[0]
    clock.advance(timedelta(minutes=1))
    assert decline(ctx, user="U02BOB", page_id=page.id).text == "Step 2 of the page of INC-1 is being paged now."
    assert send_due_pages(ctx) == 1
    assert notified(ctx, incident)[1:] == [("U03CAROL", 0, 1), ("U04ERIN", 0, 1)]
    # The step's clock starts when it was reached: 10 minutes from the "I can't", not from the page.
    assert later(ctx, clock, timedelta(minutes=9, seconds=59)) == 0
    assert later(ctx, clock, timedelta(seconds=1)) == 1
    assert [e.actor for e in events(ctx, incident, "page_declined")] == ["U02BOB"]


def test_escalating_by_hand_notifies_the_next_step_even_after_an_acknowledgement(ctx: Context, clock: Clock) -> None:
    incident = declare(ctx)
    send_due_pages(ctx)
    acknowledge(ctx, user="U02BOB", channel_id="C0ROOM1")
    clock.advance(timedelta(minutes=2))
    escalate(ctx, user="U02BOB", channel_id="C0ROOM1")
    send_due_pages(ctx)
    assert notified(ctx, incident)[1:] == [("U03CAROL", 0, 1), ("U04ERIN", 0, 1)]
    page = pages(ctx, incident)[0]
    assert page.status == PageStatus.ACTIVE.value and page.next_due_at == clock.now + timedelta(minutes=10)


def test_paging_by_hand_reaches_a_schedule_a_service_or_a_person(ctx: Context) -> None:
    incident = declare(ctx, severity="SEV3")  # below the threshold: nobody paged yet
    assert page_by_hand(ctx, channel_id="C0ROOM1", actor="U09DECL", target="secondary", message="db").text == (
        "Paging secondary for INC-1 now."
    )
    page_by_hand(ctx, channel_id="C0ROOM1", actor="U09DECL", target="U07FRANK", message=None)
    send_due_pages(ctx)
    assert sorted(u for u, _, _ in notified(ctx, incident)) == ["U03CAROL", "U07FRANK"]
    with pytest.raises(UsageError, match="Nothing to page called 'nobody'"):
        page_by_hand(ctx, channel_id="C0ROOM1", actor="U09DECL", target="nobody", message=None)
    assert len(pages(ctx, incident)) == 2


def test_a_person_slack_will_not_reach_passes_the_page_on_at_once(ctx: Context) -> None:
    incident = declare(ctx)
    send_due_pages(ctx)
    page = pages(ctx, incident)[0]
    mark_unreachable(ctx, page.id, "U02BOB", 0, 0, error="cannot_dm_bot")
    assert send_due_pages(ctx) == 1
    assert notified(ctx, incident)[1:] == [("U03CAROL", 0, 1), ("U04ERIN", 0, 1)]
    assert notices(ctx, "page_unreachable")[0]["error"] == "cannot_dm_bot"


def test_an_acknowledged_incident_commander_page_makes_them_the_ic(ctx: Context) -> None:
    incident = declare(ctx, severity="SEV1")
    send_due_pages(ctx)
    ic_page = next(p for p in pages(ctx, incident) if p.commanders)
    acknowledge(ctx, user="U05IVY", page_id=ic_page.id)
    with ctx.db.read() as session:
        roles = session.scalars(select(RoleAssignment).where(RoleAssignment.incident_id == incident)).all()
    assert [(r.role, r.user_id) for r in roles] == [("commander", "U05IVY")]
    service_page = next(p for p in pages(ctx, incident) if not p.commanders)
    assert service_page.status == PageStatus.ACTIVE.value  # each page is answered on its own


def test_a_changed_escalation_policy_re_targets_open_pages_at_start(ctx: Context, clock: Clock) -> None:
    incident = declare(ctx)
    send_due_pages(ctx)
    changed = paging_policy(services=[{"name": "checkout", "escalation_policy": "search"}, {"name": "search"}])
    restarted = Context(db=ctx.db, policy=changed, clock=clock)
    clock.advance(timedelta(minutes=1))
    assert retarget_pages(restarted) == 1
    assert send_due_pages(restarted) == 1
    # search's first step (nights) covers nobody at this hour: Erin, at once; nobody from checkout's policy again.
    assert notified(ctx, incident) == [("U02BOB", 0, 0), ("U04ERIN", 0, 1)]
    assert (events(ctx, incident, "page_retargeted")[0].data or {})["to"] == "search"
    later(restarted, clock, timedelta(hours=1))
    assert {u for u, _, _ in notified(ctx, incident)[1:]} == {"U04ERIN"}
    assert [key.split(":")[2] for key in page_dms(ctx)] == ["0", "1"]  # a new run through the escalation (epoch 1)


def test_i_cant_on_a_dm_the_page_has_moved_past_changes_nothing(ctx: Context, clock: Clock) -> None:
    incident = declare(ctx)
    send_due_pages(ctx)
    later(ctx, clock, timedelta(minutes=6))  # step 2 (Carol, Erin) since a minute
    page = pages(ctx, incident)[0]
    with pytest.raises(UsageError, match="has moved on since you were paged"):
        decline(ctx, user="U02BOB", page_id=page.id)
    assert (pages(ctx, incident)[0].step, pages(ctx, incident)[0].revision) == (1, page.revision)
    assert send_due_pages(ctx) == 0


def test_whoever_acknowledged_can_take_the_page_again_after_escalating_it(ctx: Context, clock: Clock) -> None:
    incident = declare(ctx)
    send_due_pages(ctx)
    acknowledge(ctx, user="U02BOB", channel_id="C0ROOM1")
    escalate(ctx, user="U02BOB", channel_id="C0ROOM1")
    send_due_pages(ctx)
    assert acknowledge(ctx, user="U02BOB", channel_id="C0ROOM1").text.startswith("You acknowledged")
    assert pages(ctx, incident)[0].status == PageStatus.ACKNOWLEDGED.value
    assert later(ctx, clock, timedelta(hours=1)) == 0


def test_escalating_with_nobody_left_says_so_every_time(ctx: Context, clock: Clock) -> None:
    declare(ctx)
    send_due_pages(ctx)
    for _ in range(3):  # step 2, round 2 step 1, round 2 step 2
        escalate(ctx, user="U09DECL", channel_id="C0ROOM1")
        send_due_pages(ctx)
    for _ in range(2):
        answer = escalate(ctx, user="U09DECL", channel_id="C0ROOM1")
        assert answer.text.startswith("Nobody is left to page for INC-1")


def test_a_page_escalated_after_a_reopen_ends_at_the_next_resolve(ctx: Context, clock: Clock) -> None:
    from firebell.domain.lifecycle import Action
    from firebell.services.lifecycle import change_status

    incident = declare(ctx)
    send_due_pages(ctx)
    acknowledge(ctx, user="U02BOB", channel_id="C0ROOM1")
    change_status(ctx, channel_id="C0ROOM1", actor="U09DECL", action=Action.RESOLVE)
    change_status(ctx, channel_id="C0ROOM1", actor="U09DECL", action=Action.REOPEN)
    escalate(ctx, user="U09DECL", channel_id="C0ROOM1")
    send_due_pages(ctx)
    change_status(ctx, channel_id="C0ROOM1", actor="U09DECL", action=Action.RESOLVE)
    page = pages(ctx, incident)[0]
    assert page.status == PageStatus.CANCELLED.value and page.next_due_at is None
    assert len(events(ctx, incident, "page_ended")) == 1


def test_acknowledging_in_the_war_room_takes_the_service_page_not_the_incident_commander_page(ctx: Context) -> None:
    incident = declare(ctx, severity="SEV1")
    send_due_pages(ctx)
    acknowledge(ctx, user="U02BOB", channel_id="C0ROOM1")
    by_kind = {p.commanders: p.status for p in pages(ctx, incident)}
    assert by_kind == {False: PageStatus.ACKNOWLEDGED.value, True: PageStatus.ACTIVE.value}
