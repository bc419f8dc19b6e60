"""The public cadence through the real scheduler on a hand-moved clock: the IC is reminded when the status page
is due an update, escalating like the internal cadence (room, then a DM to the IC, then the announcement channel
once per silence); a publish resets it, a resolve stops it, and two claimers racing remind once."""

import threading
from datetime import timedelta

from sqlalchemy import select

from firebell.scheduler.runner import Scheduler
from firebell.services.timeline import timeline_of
from firebell.store.models import StatusIncident
from tests.clock import Clock
from tests.harness import Firebell
from tests.slack.public.flows import buttons, declare, open_form, shown

PUBLIC = timedelta(minutes=30)  # SEV1's public_update_interval in the test policy


def publish(firebell: Firebell, room: str, **values: str) -> None:
    view = open_form(firebell, "alice", room)
    title = {"title": "Payments failing"} if any(b.get("block_id") == "title" for b in view.view["blocks"]) else {}
    firebell.driver.submit_view("alice", view.id, {**title, **values})


def status_incident(firebell: Firebell) -> StatusIncident:
    with firebell.runtime.ctx.db.read() as session:
        row: StatusIncident | None = session.scalar(select(StatusIncident))
        assert row is not None
        session.expunge(row)
        return row


def public_reminders(firebell: Firebell, channel: str) -> list[str]:
    return [shown(m) for m in firebell.bot_messages(channel) if "public* update for" in shown(m)]


def due_events(firebell: Firebell) -> list[dict[str, object]]:
    incident = firebell.incident(1)
    with firebell.runtime.ctx.db.read() as session:
        return [e.data for e in timeline_of(session, incident.id) if e.kind.value == "public_update_due"]


def test_the_ic_is_reminded_escalating_like_the_internal_cadence(firebell: Firebell, clock: Clock) -> None:
    emu = firebell.emu
    room = declare(firebell)
    publish(firebell, room)
    published = clock.now
    assert status_incident(firebell).next_update_due_at == published + PUBLIC
    assert firebell.advance(PUBLIC - timedelta(seconds=1)) == 0
    firebell.settle()
    assert public_reminders(firebell, room) == []
    assert firebell.advance(timedelta(seconds=1)) == 1  # the due point itself (the internal one is hours off)
    [first] = firebell.wait_for(lambda: public_reminders(firebell, room), what="a public reminder")
    assert f"<@{emu.user_id('alice')}>" in first and "last heard 30m ago" in first
    reminder = next(m for m in firebell.bot_messages(room) if "public* update for" in shown(m))
    assert buttons(reminder) == ["Public update"]
    row = status_incident(firebell)
    assert row.reminder_misses == 1 and row.next_update_due_at == published + 2 * PUBLIC
    assert firebell.advance(PUBLIC) == 1  # the second miss: the IC hears directly too
    dm = firebell.wait_for(lambda: emu.dms("alice"), what="a DM to the IC")
    assert "owes the public status page an update" in shown(dm[-1])
    announcement = firebell.incident(1).announcement_channel_id or ""
    assert firebell.advance(PUBLIC) == 1  # the third: the announcement channel hears
    firebell.wait_for(
        lambda: [m for m in firebell.bot_messages(announcement) if "status page has had no update" in m.text],
        what="the announcement escalation",
    )
    for _ in range(2):  # past the ladder: the room hears, the announcement channel does not again
        firebell.advance(PUBLIC)
    firebell.settle()
    said = [m for m in firebell.bot_messages(announcement) if "status page has had no update" in m.text]
    assert len(said) == 1
    assert [d["miss"] for d in due_events(firebell)] == [1, 2, 3, 4, 5]
    assert len(public_reminders(firebell, room)) == 5


def test_publishing_resets_the_cadence_and_a_resolve_stops_it(firebell: Firebell, clock: Clock) -> None:
    room = declare(firebell)
    publish(firebell, room)
    assert firebell.advance(PUBLIC) == 1
    firebell.settle()
    publish(firebell, room, body="Payments are recovering.")  # the IC publishes: the count starts again
    row = status_incident(firebell)
    assert row.reminder_misses == 0 and row.next_update_due_at == clock.now + PUBLIC
    firebell.driver.slash_command("/incident", "resolve", user="alice", channel=room)
    firebell.advance(PUBLIC * 3)
    firebell.settle()
    assert len(due_events(firebell)) == 1  # the incident is resolved: no public reminders, only the prompt
    assert len(public_reminders(firebell, room)) == 1


def test_a_restart_after_several_due_points_reminds_once(firebell: Firebell, clock: Clock) -> None:
    room = declare(firebell)
    publish(firebell, room)
    firebell.settle()
    clock.advance(PUBLIC * 4 + timedelta(minutes=1))  # down across four due points: nobody ticked
    assert firebell.tick() >= 1
    firebell.settle()
    assert [d["miss"] for d in due_events(firebell)] == [1]
    assert status_incident(firebell).next_update_due_at == clock.now + PUBLIC
    assert len(public_reminders(firebell, room)) == 1


def test_two_claimers_racing_remind_once(firebell: Firebell, clock: Clock) -> None:
    room = declare(firebell)
    publish(firebell, room)
    firebell.settle()
    runtime = firebell.runtime
    other = Scheduler(runtime.ctx, runtime.shelf, tick=None)  # a second process's scheduler, same database
    for round_ in range(1, 4):
        clock.advance(PUBLIC)
        start = threading.Barrier(2)
        claimed: list[int] = []
        threads = [threading.Thread(target=_claim, args=(s, start, claimed)) for s in (runtime.scheduler, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(claimed) == [0, 1]  # one of them won the due point; the other found it taken
        public = [d["miss"] for d in due_events(firebell)]
        assert public == list(range(1, round_ + 1))  # one due point, claimed once
        assert status_incident(firebell).reminder_misses == round_
        firebell.settle()
    firebell.settle()
    assert len(public_reminders(firebell, room)) == 3


def _claim(scheduler: Scheduler, start: threading.Barrier, claimed: list[int]) -> None:
    start.wait()
    claimed.append(scheduler.tick())


def test_a_severity_change_moves_the_public_due_point(firebell: Firebell, clock: Clock) -> None:
    room = declare(firebell, text="declare sev2 Checkout slow --service checkout")
    publish(firebell, room)
    published = clock.now
    assert status_incident(firebell).next_update_due_at == published + 2 * PUBLIC  # SEV2: every hour
    firebell.advance(timedelta(minutes=40))
    firebell.driver.slash_command("/incident", "severity sev1", user="alice", channel=room)
    # SEV1 is every 30 minutes: the page has been silent for 40, so the update is due at once.
    assert status_incident(firebell).next_update_due_at == published + PUBLIC
    assert firebell.advance(timedelta(seconds=1)) == 1
    firebell.wait_for(lambda: public_reminders(firebell, room), what="a public reminder")
    firebell.driver.slash_command("/incident", "severity sev3", user="alice", channel=room)
    assert status_incident(firebell).next_update_due_at is None  # SEV3 has no public cadence
