"""Handoff DMs on a hand-moved clock: whoever comes on call is told the schedule, until when, the open incidents
of its services and their action items; whoever goes off is thanked. Exactly once, even when two schedulers
(two processes on one database) look at the same moment, and after a restart; late while the shift is on,
never about a shift already over."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, update

from firebell.config import policy_from_mapping
from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from firebell.emulator.models import Message
from firebell.scheduler.runner import Scheduler
from firebell.services.action_items import add_action_item
from firebell.services.context import Context
from firebell.services.incidents import DeclareRequest, declare_incident
from firebell.store.database import Database
from firebell.store.engine import make_engine
from firebell.store.models import HandoffSent, Incident
from tests.clock import Clock
from tests.harness import Firebell, running_firebell

START = datetime(2026, 1, 5, 8, tzinfo=UTC)  # an hour before the rotation's first turn
DAY = timedelta(days=1)


@dataclass
class Team:
    alice: str
    bob: str
    erin: str


@pytest.fixture
def team(emu: SlackEmulator) -> Team:
    return Team(emu.user("alice").id, emu.user("bob").id, emu.user("erin").id)


def team_policy(team: Team) -> Policy:
    """A daily rotation of Alice and Bob at 09:00 UTC, from Monday 5 January, paged for the checkout service."""
    raw = {
        "services": [{"name": "checkout", "escalation_policy": "checkout"}, {"name": "search"}],
        "schedules": [
            {
                "name": "checkout-primary",
                "layers": [
                    {"members": [team.alice, team.bob], "rotate_every": "1d", "handoff": "09:00", "start": "2026-01-05"}
                ],
            }
        ],
        "escalation_policies": [
            {
                "name": "checkout",
                "steps": [{"notify": ["schedule:checkout-primary"]}, {"notify": [f"user:{team.erin}"]}],
            }
        ],
    }
    return policy_from_mapping(raw, source="test")


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def firebell(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, *, team: Team, clock: Clock
) -> Iterator[Firebell]:
    with running_firebell(emu, slack, database_url, team_policy(team), clock=clock) as running:
        yield running


def handoff_dms(emu: SlackEmulator, user: str) -> list[Message]:
    return [m for m in emu.dms(user) if "on call" in m.text or "shift" in m.text]


def shown(message: Message) -> str:
    """Everything the message shows (its text and blocks)."""
    return message.text + json.dumps(message.blocks)


def at(firebell: Firebell, moment: datetime) -> int:
    """Move the clock to `moment`, look for handoffs, deliver the DMs; returns how many DMs were queued."""
    assert firebell.clock is not None
    firebell.settle()
    firebell.clock.now = moment
    queued = firebell.runtime.scheduler.handoffs()
    firebell.settle()
    return queued


def test_the_first_turn_and_each_handoff_dm_both_sides_once(firebell: Firebell, emu: SlackEmulator, team: Team) -> None:
    assert at(firebell, START) == 0  # nobody on call yet
    assert at(firebell, START + timedelta(hours=1)) == 1  # 09:00: Alice's first turn
    [alice_in] = handoff_dms(emu, team.alice)
    assert "You are now on call for *checkout-primary*" in shown(alice_in)
    assert "<!date^" + str(int(datetime(2026, 1, 6, 9, tzinfo=UTC).timestamp())) in shown(alice_in)  # until
    assert at(firebell, START + timedelta(hours=2)) == 0  # looked at again: nothing new
    assert at(firebell, START + DAY + timedelta(hours=1)) == 2  # 6 January 09:00: Bob on, Alice off
    [bob_in] = handoff_dms(emu, team.bob)
    assert "You are now on call" in shown(bob_in) and f"<@{team.alice}>" in shown(bob_in)
    alice_in_again, alice_out = handoff_dms(emu, team.alice)
    assert alice_in_again.ts == alice_in.ts
    assert "Thanks for your shift on *checkout-primary*" in shown(alice_out) and f"<@{team.bob}>" in shown(alice_out)
    assert handoff_dms(emu, team.erin) == []


def test_the_dm_names_open_incidents_of_the_schedules_services_and_the_persons_action_items(
    firebell: Firebell, emu: SlackEmulator, team: Team
) -> None:
    ctx = firebell.runtime.ctx
    mine = declare_incident(ctx, DeclareRequest(title="Checkout <b>down</b> & out", declared_by=team.erin))
    other = declare_incident(ctx, DeclareRequest(title="Search is slow", declared_by=team.erin))
    over = declare_incident(ctx, DeclareRequest(title="Checkout blip", declared_by=team.erin))
    with ctx.db.transaction() as session:
        session.execute(
            update(Incident).where(Incident.number.in_([mine.number, over.number])).values(service="checkout")
        )
        session.execute(update(Incident).where(Incident.number == other.number).values(service="search"))
        session.execute(update(Incident).where(Incident.number == over.number).values(status="resolved"))
    room = firebell.war_room(mine.number)
    add_action_item(ctx, channel_id=room.id, actor=team.erin, text="Add a retry budget", owner=team.bob, due=None)
    add_action_item(ctx, channel_id=room.id, actor=team.erin, text="Not Bob's", owner=team.erin, due=None)
    at(firebell, START + DAY + timedelta(hours=1))
    [bob_in] = handoff_dms(emu, team.bob)
    text = shown(bob_in)
    assert f"INC-{mine.number}" in text and "Checkout &lt;b&gt;down&lt;/b&gt; &amp; out" in text
    assert f"INC-{other.number}" not in text and f"INC-{over.number}" not in text
    assert "Add a retry budget" in text and "Not Bob's" not in text
    [alice_out] = handoff_dms(emu, team.alice)
    assert f"INC-{mine.number}" in shown(alice_out)  # told what is still open


def both_look(*schedulers: Scheduler) -> list[int]:
    """Each scheduler looks for handoffs in its own thread, at the same moment; what each queued."""
    counts: list[int] = []
    barrier = threading.Barrier(len(schedulers))

    def look(scheduler: Scheduler) -> None:
        barrier.wait()
        counts.append(scheduler.handoffs())

    threads = [threading.Thread(target=look, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return counts


def test_two_schedulers_at_the_same_moment_send_each_dm_once(
    firebell: Firebell, emu: SlackEmulator, team: Team, database_url: str
) -> None:
    assert firebell.clock is not None
    other_engine = make_engine(database_url)  # another process's connections to the same database
    try:
        other = Scheduler(
            Context(db=Database(other_engine), policy=firebell.runtime.ctx.policy, clock=firebell.clock),
            firebell.runtime.shelf,
            tick=None,
        )
        for moment, dms in ((START + timedelta(hours=1), 1), (START + DAY + timedelta(hours=1), 2)):
            firebell.settle()
            firebell.clock.now = moment
            counts = both_look(firebell.runtime.scheduler, other)
            firebell.settle()
            assert len(counts) == 2 and sum(counts) == dms  # between them, each DM queued by one of the two
        assert sum(len(handoff_dms(emu, u)) for u in (team.alice, team.bob)) == 3  # alice in; bob in, alice out
        assert len(handoff_dms(emu, team.alice)) == 2 and len(handoff_dms(emu, team.bob)) == 1
    finally:
        other_engine.dispose()


def test_a_restart_does_not_send_again_and_a_late_look_sends_only_the_shift_still_on(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, *, team: Team, clock: Clock
) -> None:
    policy = team_policy(team)
    with running_firebell(emu, slack, database_url, policy, clock=clock) as firebell:
        assert at(firebell, START + timedelta(hours=1)) == 1
    with running_firebell(emu, slack, database_url, policy, clock=clock) as restarted:
        assert at(restarted, START + timedelta(hours=2)) == 0  # the same handoff: claimed before the restart
        # Down from 7 January 08:00 to 8 January 10:00: the 7 January handoff (Alice on) is over; only the
        # 8 January one (Bob on, Alice off) is sent, late.
        assert at(restarted, START + 3 * DAY + timedelta(hours=2)) == 2
    assert len(handoff_dms(emu, team.alice)) == 2  # the first turn, then thanks on 8 January
    assert len(handoff_dms(emu, team.bob)) == 1
    with clean_db.connect() as conn:
        rows = conn.execute(HandoffSent.__table__.select().order_by(HandoffSent.id)).all()
    assert [(r.at, r.direction) for r in rows] == [
        (START + timedelta(hours=1), "in"),
        (START + 3 * DAY + timedelta(hours=1), "in"),
        (START + 3 * DAY + timedelta(hours=1), "out"),
    ]


def test_a_schedule_first_seen_mid_shift_announces_nothing_until_the_next_handoff(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, team: Team
) -> None:
    clock = Clock(START + timedelta(hours=5))  # installed at 13:00, Alice's turn under way
    with running_firebell(emu, slack, database_url, team_policy(team), clock=clock) as firebell:
        assert at(firebell, START + timedelta(hours=6)) == 0
        assert at(firebell, START + DAY + timedelta(hours=1)) == 2
    assert len(handoff_dms(emu, team.alice)) == 1 and len(handoff_dms(emu, team.bob)) == 1
