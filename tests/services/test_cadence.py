"""The cadence use cases on the real store with a hand-moved clock: reminders, resets, escalation, claims."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from firebell.domain.cadence import CADENCE_KINDS, cadence_report
from firebell.domain.errors import UsageError
from firebell.domain.lifecycle import Action
from firebell.services.cadence import follow_policy, send_due_reminders, snooze
from firebell.services.context import Context
from firebell.services.incidents import get_incident
from firebell.services.lifecycle import change_status
from firebell.services.roles import assign_role
from firebell.services.severity import change_severity
from firebell.services.timeline import timeline_of
from firebell.services.updates import add_note, post_update
from firebell.store.models import Effect, Incident
from tests.clock import Clock
from tests.services.test_use_cases import ALICE, CAROL, declare_with_room

M = timedelta(minutes=1)
ROOM = "C0ROOM001"


def reminders(ctx: Context) -> list[tuple[str, str]]:
    with ctx.db.read() as session:
        rows = session.scalars(select(Effect).where(Effect.kind == "post_reminder").order_by(Effect.id))
        return [(e.payload["target"], str(e.payload["miss"])) for e in rows]


def kinds(ctx: Context) -> list[str]:
    incident = get_incident(ctx, 1)
    with ctx.db.read() as session:
        return [e.kind.value for e in timeline_of(session, incident.id)]


def test_declare_schedules_the_first_due_point(ctx: Context, clock: Clock) -> None:
    declare_with_room(ctx, severity="SEV1")
    incident = get_incident(ctx, 1)
    assert incident.next_update_due_at == clock.now + 15 * M
    assert incident.last_update_at == clock.now


def test_reminder_fires_once_at_the_due_point(ctx: Context, clock: Clock) -> None:
    declare_with_room(ctx, severity="SEV1")
    start = clock.now
    clock.now = start + 15 * M - timedelta(seconds=1)
    assert send_due_reminders(ctx) == 0
    clock.now = start + 15 * M
    assert send_due_reminders(ctx) == 1
    assert send_due_reminders(ctx) == 0  # the due point is claimed
    assert reminders(ctx) == [("room", "1")]
    incident = get_incident(ctx, 1)
    assert incident.next_update_due_at == start + 30 * M
    assert incident.missed_updates == 1
    assert kinds(ctx)[-1] == "reminder"


def test_update_resets_the_timer(ctx: Context, clock: Clock) -> None:
    declare_with_room(ctx, severity="SEV1")
    start = clock.now
    clock.now = start + 10 * M
    post_update(ctx, channel_id=ROOM, actor=ALICE, text="on it")
    assert get_incident(ctx, 1).next_update_due_at == start + 25 * M
    clock.now = start + 16 * M
    assert send_due_reminders(ctx) == 0


def test_escalation_ladder(ctx: Context, clock: Clock) -> None:
    declare_with_room(ctx, severity="SEV1")
    assign_role(ctx, channel_id=ROOM, actor=ALICE, role="deputy", user_id=CAROL)
    start = clock.now
    for minutes in (15, 30, 45, 60):
        clock.now = start + minutes * M
        assert send_due_reminders(ctx) == 1
    assert reminders(ctx) == [
        ("room", "1"),
        ("room", "2"),
        ("dm", "2"),
        ("room", "3"),
        ("announcement", "3"),
        ("room", "4"),  # past the ladder: the room only, the announcement channel was told once
    ]
    with ctx.db.read() as session:
        second = session.scalars(select(Effect).where(Effect.kind == "post_reminder")).all()[1]
        assert second.payload["mention_deputy"] is True
    assert kinds(ctx).count("escalation") == 2
    # An update ends the streak: the next miss starts the ladder again.
    post_update(ctx, channel_id=ROOM, actor=ALICE, text="back")
    clock.now += 15 * M
    send_due_reminders(ctx)
    assert reminders(ctx)[-1] == ("room", "1")


def test_raising_severity_can_make_an_update_due_at_once(ctx: Context, clock: Clock) -> None:
    declare_with_room(ctx)  # SEV3: hourly
    start = clock.now
    clock.now = start + 40 * M
    assert send_due_reminders(ctx) == 0
    change_severity(ctx, channel_id=ROOM, actor=ALICE, severity="SEV1")
    assert get_incident(ctx, 1).next_update_due_at == start + 15 * M
    assert send_due_reminders(ctx) == 1
    change_severity(ctx, channel_id=ROOM, actor=ALICE, severity="SEV4")
    assert get_incident(ctx, 1).next_update_due_at is None


def test_lifecycle_stops_relaxes_and_restarts_the_cadence(ctx: Context, clock: Clock) -> None:
    declare_with_room(ctx, severity="SEV1")
    start = clock.now
    change_status(ctx, channel_id=ROOM, actor=ALICE, action=Action.MITIGATE)
    assert get_incident(ctx, 1).next_update_due_at == start + 30 * M  # mitigated: x2
    change_status(ctx, channel_id=ROOM, actor=ALICE, action=Action.RESOLVE)
    assert get_incident(ctx, 1).next_update_due_at is None
    clock.now = start + 5 * 60 * M
    assert send_due_reminders(ctx) == 0
    change_status(ctx, channel_id=ROOM, actor=ALICE, action=Action.REOPEN)
    assert get_incident(ctx, 1).next_update_due_at == clock.now + 15 * M


def test_snooze(ctx: Context, clock: Clock) -> None:
    declare_with_room(ctx, severity="SEV1")
    start = clock.now
    clock.now = start + 15 * M
    send_due_reminders(ctx)
    incident = snooze(ctx, channel_id=ROOM, actor=CAROL, duration=30 * M)
    assert incident.next_update_due_at == clock.now + 30 * M
    assert kinds(ctx)[-1] == "snoozed"
    with pytest.raises(UsageError, match="Snooze for 7m is not offered; choose one of: 15m, 30m"):
        snooze(ctx, channel_id=ROOM, actor=CAROL, duration=7 * M)
    change_status(ctx, channel_id=ROOM, actor=ALICE, action=Action.RESOLVE)
    with pytest.raises(UsageError, match="no update cadence running"):
        snooze(ctx, channel_id=ROOM, actor=CAROL, duration=15 * M)


def test_cadence_record_for_the_postmortem(ctx: Context, clock: Clock) -> None:
    declare_with_room(ctx, severity="SEV1")
    start = clock.now
    clock.now = start + 10 * M
    post_update(ctx, channel_id=ROOM, actor=ALICE, text="on time")
    clock.now = start + 25 * M
    send_due_reminders(ctx)
    clock.now = start + 31 * M
    post_update(ctx, channel_id=ROOM, actor=ALICE, text="late")
    clock.now = start + 40 * M
    change_status(ctx, channel_id=ROOM, actor=ALICE, action=Action.RESOLVE)
    incident = get_incident(ctx, 1)
    add_note(ctx, channel_id=ROOM, actor=ALICE, text="notes do not count")
    with ctx.db.read() as session:
        report = cadence_report(timeline_of(session, incident.id), now=clock.now)
        only_cadence = timeline_of(session, incident.id, kinds=CADENCE_KINDS)
    assert (report.updates_due, report.updates_on_time) == (2, 1)
    assert report.longest_silence == 21 * M
    assert {e.kind for e in only_cadence} <= CADENCE_KINDS
    assert cadence_report(only_cadence, now=clock.now) == report  # what /incident status reads is enough


def test_concurrent_ticks_claim_each_due_point_once(ctx: Context, clock: Clock) -> None:
    for i in range(20):
        declare_with_room(ctx, channel=f"C0ROOM{i:03d}", severity="SEV1")
    clock.now += 15 * M
    claimed: list[int] = []
    barrier = threading.Barrier(4)

    def tick() -> None:
        barrier.wait()
        claimed.append(send_due_reminders(ctx, batch=7))

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(claimed) == 20
    assert len(reminders(ctx)) == 20


def test_follow_policy_backfills_open_incidents_and_leaves_the_rest(ctx: Context, clock: Clock) -> None:
    declare_with_room(ctx, severity="SEV1")
    with ctx.db.transaction() as session:
        row = session.scalar(select(Incident))
        assert row is not None
        row.next_update_due_at = None
    assert follow_policy(ctx) == 1
    assert get_incident(ctx, 1).next_update_due_at == clock.now + 15 * M
    assert follow_policy(ctx) == 0  # the policy it was scheduled under: nothing moves


def test_a_due_point_moved_back_onto_a_reminded_one_is_reminded_again(ctx: Context, clock: Clock) -> None:
    """Mitigate then reopen (or lower then raise the severity) can bring the next due point back to one
    already reminded; that must neither be refused nor stall the reminders of other incidents."""
    declare_with_room(ctx, severity="SEV1")
    declare_with_room(ctx, channel="C0ROOM002", severity="SEV1")
    start = clock.now
    clock.now = start + 15 * M
    assert send_due_reminders(ctx) == 2
    clock.now = start + 20 * M
    change_status(ctx, channel_id=ROOM, actor=ALICE, action=Action.MITIGATE)
    clock.now = start + 25 * M
    change_status(ctx, channel_id=ROOM, actor=ALICE, action=Action.REOPEN)
    change_severity(ctx, channel_id="C0ROOM002", actor=ALICE, severity="SEV2")
    change_severity(ctx, channel_id="C0ROOM002", actor=ALICE, severity="SEV1")
    assert get_incident(ctx, 1).next_update_due_at == start + 15 * M  # back on the reminded due point
    assert send_due_reminders(ctx) == 2
    assert [miss for target, miss in reminders(ctx) if target == "room"] == ["1", "1", "2", "2"]
