"""The outbox's store side: claims serve urgent effects first, leases keep them, outcomes are recorded once."""

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select

from firebell.services.context import Context
from firebell.services.effects import EffectKind, Urgency
from firebell.services.incidents import DeclareRequest, declare_incident
from firebell.services.outbox.claims import Claims
from firebell.services.outbox.outcomes import Delivered, Retry
from firebell.services.outbox.record import Recorder
from firebell.services.roles import assign_role
from firebell.services.updates import post_update
from firebell.store.models import Effect, Incident
from tests.clock import Clock

ALICE, BOB = "U0ALICE00", "U0BOB0000"


def declare(ctx: Context, title: str) -> int:
    number = declare_incident(ctx, DeclareRequest(title=title, declared_by=ALICE)).number
    with ctx.db.transaction() as session:
        incident = session.scalar(select(Incident).where(Incident.number == number))
        assert incident is not None
        incident.channel_id, incident.kickoff_ts = f"C0ROOM00{number}", "1.000001"
    return number


def test_claims_serve_what_people_wait_for_before_set_up(ctx: Context) -> None:
    for n in range(3):
        declare(ctx, f"Outage {n}")
    jobs = Claims(ctx, "me").claim(100)
    kinds = [job.kind for job in jobs]
    urgency = [job.urgency for job in jobs]
    assert urgency == sorted(urgency)  # every war room before any invitation, and those before any topic
    now = urgency.count(Urgency.NOW)
    assert kinds[:now].count(EffectKind.CREATE_CHANNEL) == 3  # the last room before the first set-up
    assert {EffectKind.SYNC_TOPIC, EffectKind.PIN_KICKOFF} <= set(kinds[now:])
    assert kinds.index(EffectKind.INVITE) < kinds.index(EffectKind.SYNC_TOPIC)


def test_a_claim_leaves_out_held_kinds_and_what_it_holds_already(ctx: Context, clock: Clock) -> None:
    declare(ctx, "Checkout")
    claims = Claims(ctx, "me", lease=timedelta(seconds=10))
    first = claims.claim(100, skip={EffectKind.CREATE_CHANNEL.value, EffectKind.INVITE.value})
    assert {job.kind for job in first} == {EffectKind.SYNC_TOPIC, EffectKind.PIN_KICKOFF, EffectKind.POST_ANNOUNCEMENT}
    clock.now += timedelta(seconds=11)  # its renewals were late: it must not take its own work twice
    second = claims.claim(100, mine={job.id for job in first})
    assert {job.kind for job in second} == {EffectKind.CREATE_CHANNEL, EffectKind.INVITE}


def test_a_dead_holders_lease_lapses_and_the_next_claim_is_uncertain(ctx: Context, clock: Clock) -> None:
    declare(ctx, "Checkout")
    dead = Claims(ctx, "dead", lease=timedelta(seconds=10))
    taken = {job.id for job in dead.claim(100)}
    assert Claims(ctx, "next").claim(100) == []  # held by a live-looking lease
    clock.now += timedelta(seconds=11)
    again = Claims(ctx, "next").claim(100)
    assert {job.id for job in again} == taken
    assert all(job.uncertain and job.attempts == 2 for job in again)


def test_only_the_holder_records_an_outcome(ctx: Context, clock: Clock) -> None:
    declare(ctx, "Checkout")
    slow = Claims(ctx, "slow", lease=timedelta(seconds=10))
    [job] = [j for j in slow.claim(100) if j.kind == EffectKind.CREATE_CHANNEL]
    clock.now += timedelta(seconds=11)
    [again] = [j for j in Claims(ctx, "fast").claim(100) if j.id == job.id]
    Recorder(ctx, "fast", backoff=lambda _: 1.0).record([(again, Delivered(incident={"channel_name": "x"}))])
    Recorder(ctx, "slow", backoff=lambda _: 1.0).record([(job, Retry(error="late"))])
    with ctx.db.read() as session:
        row = session.get(Effect, job.id)
        assert row is not None
        assert (row.status, row.last_error) == ("done", None)


def test_every_lane_holds_effects_of_one_urgency(ctx: Context) -> None:
    """Set-up at the head of a lane would hold up the urgent effects behind it."""
    number = declare(ctx, "Checkout")
    room = f"C0ROOM00{number}"
    post_update(ctx, channel_id=room, actor=ALICE, text="Rolled back")
    assign_role(ctx, channel_id=room, actor=ALICE, role="commander", user_id=BOB)
    urgencies: dict[str, set[int]] = defaultdict(set)
    with ctx.db.read() as session:
        for effect in session.scalars(select(Effect)):
            urgencies[effect.lane].add(effect.urgency)
    assert all(len(u) == 1 for u in urgencies.values()), dict(urgencies)
    assert set(Urgency) == {u for us in urgencies.values() for u in us}
