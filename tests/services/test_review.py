"""Review use cases on the real store: action items, follow-ups claimed once, closing, drafts."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from firebell.domain.errors import UsageError
from firebell.domain.lifecycle import Action
from firebell.services.action_items import add_action_item, complete_item, nudge_overdue, query_items
from firebell.services.context import Context
from firebell.services.lifecycle import OpenActionItems, change_status, close_review
from firebell.services.postmortem import postmortem_markdown, regenerate_postmortem, save_sections
from firebell.store.models import Effect
from tests.clock import Clock
from tests.services.test_use_cases import ALICE, BOB, CAROL, declare_with_room

ROOM = "C0ROOM001"


def dms(ctx: Context) -> list[dict[str, object]]:
    with ctx.db.read() as session:
        return [e.payload for e in session.scalars(select(Effect).where(Effect.kind == "dm"))]


def test_follow_ups_are_claimed_once_even_by_two_processes(ctx: Context, clock: Clock) -> None:
    declare_with_room(ctx)
    for owner, due in ((BOB, "2026-11-01"), (BOB, "2026-11-02"), (CAROL, "2026-11-03"), (None, "2026-11-04")):
        add_action_item(ctx, channel_id=ROOM, actor=ALICE, text=f"item for {owner}", owner=owner, due=due)
    add_action_item(ctx, channel_id=ROOM, actor=ALICE, text="future", owner=BOB, due="in 3d")
    counts: list[int] = []
    barrier = threading.Barrier(3)

    def tick() -> None:
        barrier.wait()
        counts.append(nudge_overdue(ctx))

    threads = [threading.Thread(target=tick) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 4
    by_user = {str(p["user"]): len(p["items"]) for p in dms(ctx)}  # type: ignore[arg-type]
    assert by_user == {BOB: 2, CAROL: 1}
    clock.now += timedelta(days=1)
    assert nudge_overdue(ctx) == 4  # the next day, again
    assert len(dms(ctx)) == 4


def test_done_items_are_not_followed_up(ctx: Context) -> None:
    declare_with_room(ctx)
    item = add_action_item(ctx, channel_id=ROOM, actor=ALICE, text="x", owner=BOB, due="2026-01-01")
    complete_item(ctx, item_id=item.id, actor=BOB)
    assert nudge_overdue(ctx) == 0
    with pytest.raises(UsageError, match="already done"):
        complete_item(ctx, item_id=item.id, actor=BOB)
    assert [i.status.value for i in query_items(ctx, status="done")] == ["done"]


def test_close_asks_when_items_are_open(ctx: Context) -> None:
    declare_with_room(ctx)
    add_action_item(ctx, channel_id=ROOM, actor=ALICE, text="x", owner=None, due=None)
    change_status(ctx, channel_id=ROOM, actor=ALICE, action=Action.RESOLVE)
    with pytest.raises(OpenActionItems, match="INC-1 has 1 open action item"):
        close_review(ctx, channel_id=ROOM, actor=ALICE)
    assert close_review(ctx, channel_id=ROOM, actor=ALICE, confirmed=True).status.value == "closed"


def test_resolve_queues_a_draft_and_regeneration_needs_a_resolved_incident(ctx: Context) -> None:
    declare_with_room(ctx)
    with pytest.raises(UsageError, match="still open"):
        regenerate_postmortem(ctx, channel_id=ROOM, actor=ALICE)
    change_status(ctx, channel_id=ROOM, actor=ALICE, action=Action.RESOLVE)
    regenerate_postmortem(ctx, channel_id=ROOM, actor=ALICE)
    with ctx.db.read() as session:
        assert len(session.scalars(select(Effect).where(Effect.kind == "post_postmortem")).all()) == 2


def test_sections_are_kept_and_validated(ctx: Context, clock: Clock) -> None:
    declare_with_room(ctx)
    change_status(ctx, channel_id=ROOM, actor=ALICE, action=Action.RESOLVE)
    save_sections(
        ctx,
        number=1,
        actor=BOB,
        summary="It broke.",
        contributing_factors=None,
        lessons="Drills help.",
        impact_started_at=clock.now - timedelta(minutes=20),
        review_on=date(2026, 12, 1),
    )
    markdown = postmortem_markdown(ctx, 1)
    assert "It broke." in markdown and "Drills help." in markdown and "| Time to detect | 20m |" in markdown
    with pytest.raises(UsageError, match="is in the future"):
        save_sections(
            ctx,
            number=1,
            actor=BOB,
            summary=None,
            contributing_factors=None,
            lessons=None,
            impact_started_at=clock.now + timedelta(minutes=5),
            review_on=None,
        )
