"""The inbox's store side against the real store: recorded once, claimed per lane in order, fenced, sealed."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from firebell.services import inbox
from firebell.services.context import Context
from firebell.services.incidents import DeclareRequest, declare_incident
from firebell.store.models import InboxEntry, Incident
from tests.clock import Clock

LEASE = timedelta(seconds=6)


def _request(key: str, lane: str = "channel:C1") -> inbox.Request:
    return inbox.Request(key=key, kind="command", lane=lane, payload={"text": key})


def _claim(ctx: Context, name: str = "a", busy: set[str] | None = None) -> list[str]:
    return [c.key for c in inbox.claim(ctx, name=name, lease=LEASE, limit=10, busy_lanes=busy or set())]


def _statuses(ctx: Context) -> dict[str, str]:
    with ctx.db.read() as session:
        return dict(session.execute(select(InboxEntry.key, InboxEntry.status)).all())


def test_a_key_is_recorded_once(ctx: Context) -> None:
    inbox.record(ctx, [_request("t1"), _request("t1")])
    inbox.record(ctx, [_request("t1"), _request("t2")])
    assert _statuses(ctx) == {"t1": "pending", "t2": "pending"}
    assert inbox.seen(ctx, "t1") and not inbox.seen(ctx, "t3")


def test_one_entry_per_lane_at_a_time_in_the_order_they_came(ctx: Context) -> None:
    inbox.record(ctx, [_request("a1", "channel:A"), _request("a2", "channel:A"), _request("b1", "channel:B")])
    claimed = inbox.claim(ctx, name="p1", lease=LEASE, limit=10, busy_lanes=set())
    assert [c.key for c in claimed] == ["a1", "b1"]
    assert _claim(ctx, "p2") == []  # both heads are held; a2 waits for a1
    first = claimed[0]
    assert inbox.finish(ctx, first, name="p1")
    assert _claim(ctx, "p2") == ["a2"]
    assert _claim(ctx, "p3", busy={"channel:A"}) == []


def test_a_lapsed_lease_is_claimed_again_and_fences_the_old_holder(ctx: Context, clock: Clock) -> None:
    inbox.record(ctx, [_request("t1")])
    (old,) = inbox.claim(ctx, name="killed", lease=LEASE, limit=1, busy_lanes=set())
    clock.now += timedelta(seconds=5)
    assert _claim(ctx, "other") == []  # the lease still holds
    clock.now += timedelta(seconds=2)
    (new,) = inbox.claim(ctx, name="other", lease=LEASE, limit=1, busy_lanes=set())
    assert (new.key, new.attempts) == ("t1", 2)
    assert not inbox.finish(ctx, old, name="killed")  # the old holder's outcome no longer counts
    with pytest.raises(inbox.ClaimLost), ctx.db.sealing(inbox.done_seal(ctx, old, name="killed")):
        declare_incident(ctx, DeclareRequest(title="Doubled", declared_by="U1"))
    with ctx.db.read() as session:
        assert session.scalars(select(Incident.title)).all() == []  # its change rolled back with the seal
    assert inbox.finish(ctx, new, name="other")
    assert _statuses(ctx) == {"t1": "done"}


def test_the_seal_commits_with_the_change_and_only_once(ctx: Context) -> None:
    inbox.record(ctx, [_request("t1")])
    (entry,) = inbox.claim(ctx, name="a", lease=LEASE, limit=1, busy_lanes=set())
    seal = inbox.done_seal(ctx, entry, name="a")
    with ctx.db.sealing(seal):
        declare_incident(ctx, DeclareRequest(title="Sealed", declared_by="U1"))
    assert seal.applied
    assert _statuses(ctx) == {"t1": "done"}


def test_a_request_carried_out_at_once_is_recognised_when_delivered_again(ctx: Context) -> None:
    request = inbox.Request(key="trigger_id:T1", kind="view_submission", lane="once", payload={})
    with ctx.db.sealing(inbox.once_seal(ctx, request)):
        declare_incident(ctx, DeclareRequest(title="Once", declared_by="U1"))
    with pytest.raises(inbox.DuplicateDelivery), ctx.db.sealing(inbox.once_seal(ctx, request)):
        declare_incident(ctx, DeclareRequest(title="Once", declared_by="U1"))
    with ctx.db.read() as session:
        assert session.scalars(select(Incident.title)).all() == ["Once"]


def test_a_failed_attempt_backs_off_then_is_claimed_again(ctx: Context, clock: Clock) -> None:
    inbox.record(ctx, [_request("t1")])
    (entry,) = inbox.claim(ctx, name="a", lease=LEASE, limit=1, busy_lanes=set())
    assert inbox.retry_later(ctx, entry, name="a", delay=3, error="database: OperationalError")
    assert _claim(ctx) == []
    clock.now += timedelta(seconds=4)
    assert _claim(ctx) == ["t1"]


def test_pruning_forgets_only_what_was_carried_out_long_ago(ctx: Context, clock: Clock) -> None:
    inbox.record(ctx, [_request("old"), _request("waiting", "channel:B")])
    (entry,) = inbox.claim(ctx, name="a", lease=LEASE, limit=1, busy_lanes={"channel:B"})
    assert inbox.finish(ctx, entry, name="a")
    clock.now += timedelta(days=2)
    inbox.record(ctx, [_request("recent", "channel:C")])
    (recent,) = inbox.claim(ctx, name="a", lease=LEASE, limit=1, busy_lanes={"channel:B"})
    assert inbox.finish(ctx, recent, name="a")
    assert inbox.prune_done(ctx, before=clock.now - timedelta(days=1)) == 1
    assert _statuses(ctx) == {"waiting": "pending", "recent": "done"}
