"""Coalesced effects: one waiting effect per lane, held a gap after the last, a new one once it started."""

from datetime import timedelta

from sqlalchemy import select, update

from firebell.services.coalesced_effects import enqueue_coalesced
from firebell.services.context import Context
from firebell.services.effects import EffectKind
from firebell.store.models import Effect
from tests.clock import Clock

LANE = "alert-group:7:triage"


def lane_effects(ctx: Context) -> list[Effect]:
    with ctx.db.read() as session:
        return list(session.scalars(select(Effect).where(Effect.lane == LANE).order_by(Effect.id)))


def ask(ctx: Context, clock: Clock) -> Effect | None:
    with ctx.db.transaction() as session:
        return enqueue_coalesced(session, kind=EffectKind.POST_NOTICE, lane=LANE, now=clock(), payload={"n": 1})


def test_changes_while_one_waits_add_nothing(ctx: Context, clock: Clock) -> None:
    first = ask(ctx, clock)
    assert first is not None
    for _ in range(20):
        clock.advance(timedelta(milliseconds=100))
        assert ask(ctx, clock) is None
    [only] = lane_effects(ctx)
    assert only.next_attempt_at == only.created_at  # the first goes at once


def test_a_change_after_delivery_started_is_queued_a_gap_after_the_last(ctx: Context, clock: Clock) -> None:
    ask(ctx, clock)
    with ctx.db.transaction() as session:  # the gateway claimed it: it may have rendered already
        session.execute(update(Effect).where(Effect.lane == LANE).values(attempts=1, claimed_by="w"))
    clock.advance(timedelta(seconds=1))
    second = ask(ctx, clock)
    assert second is not None
    first, queued = lane_effects(ctx)
    assert queued.next_attempt_at == first.created_at + timedelta(seconds=5)
    clock.advance(timedelta(seconds=10))
    with ctx.db.transaction() as session:
        session.execute(update(Effect).where(Effect.id == queued.id).values(status="done", attempts=1))
    assert ask(ctx, clock) is not None
    assert lane_effects(ctx)[-1].next_attempt_at == clock()  # long after the last: at once
