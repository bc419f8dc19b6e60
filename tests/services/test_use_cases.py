"""Use cases against the real store: what each change records and which Slack effects it queues."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from firebell.domain.errors import IllegalTransition, NotAnIncidentChannel, UsageError
from firebell.domain.lifecycle import Action, Status
from firebell.domain.timeline import EventKind
from firebell.services import incidents
from firebell.services.context import Context
from firebell.services.incidents import DeclareRequest, declare_incident, get_incident, list_incidents
from firebell.services.lifecycle import change_status
from firebell.services.pins import record_pin, request_pin_capture
from firebell.services.roles import assign_role, hand_over
from firebell.services.severity import change_severity
from firebell.services.timeline import timeline_of
from firebell.services.updates import add_note, post_update
from firebell.store.models import Effect, Incident, TimelineEvent
from tests.clock import Clock

ALICE, BOB, CAROL = "U0ALICE00", "U0BOB0000", "U0CAROL00"


def effects(ctx: Context) -> list[tuple[str, str]]:
    with ctx.db.read() as session:
        return [(e.kind, e.lane.rsplit(":", 1)[1]) for e in session.scalars(select(Effect).order_by(Effect.id))]


def events(ctx: Context, number: int = 1) -> list[tuple[str, str | None, str]]:
    incident = get_incident(ctx, number)
    with ctx.db.read() as session:
        return [(e.kind.value, e.actor, e.text) for e in timeline_of(session, incident.id)]


def declare_with_room(ctx: Context, channel: str = "C0ROOM001", **kwargs: object) -> int:
    incident = declare_incident(ctx, DeclareRequest(title="Checkout failing", declared_by=ALICE, **kwargs))  # type: ignore[arg-type]
    with ctx.db.transaction() as session:
        row = session.scalar(select(Incident).where(Incident.number == incident.number))
        assert row is not None
        row.channel_id = channel
    return incident.number


def test_declare_records_the_incident_and_queues_the_war_room(ctx: Context, clock: Clock) -> None:
    incident = declare_incident(
        ctx, DeclareRequest(title="  Checkout   failing ", declared_by=ALICE, severity="sev1", response_url="https://r")
    )
    assert (incident.number, incident.title, incident.severity) == (1, "Checkout failing", "SEV1")
    assert incident.status is Status.INVESTIGATING
    assert incident.commander == ALICE
    assert incident.declared_at == clock.now
    assert events(ctx) == [("declared", ALICE, "Declared INC-1 (SEV1): Checkout failing")]
    assert effects(ctx) == [
        ("create_channel", "room"),
        ("post_kickoff", "room"),
        ("pin_kickoff", "pin"),
        ("sync_topic", "topic"),
        ("invite", "members"),
        ("post_announcement", "announce"),
        ("respond", "respond"),
    ]


def test_declare_defaults_and_chosen_commander(ctx: Context) -> None:
    incident = declare_incident(ctx, DeclareRequest(title="Search slow", declared_by=ALICE, commander=BOB))
    assert incident.severity == "SEV3"
    assert incident.commander == BOB
    with ctx.db.read() as session:
        invite = session.scalar(select(Effect).where(Effect.kind == "invite"))
        assert invite is not None
        assert invite.payload == {"users": [ALICE, BOB]}


def test_declare_rejects_empty_title_and_records_nothing(ctx: Context) -> None:
    with pytest.raises(UsageError, match="An incident needs a title"):
        declare_incident(ctx, DeclareRequest(title="   ", declared_by=ALICE))
    assert list_incidents(ctx) == []


def test_concurrent_declares_get_distinct_numbers(ctx: Context) -> None:
    numbers: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(25)

    def declare(i: int) -> None:
        try:
            barrier.wait()
            numbers.append(declare_incident(ctx, DeclareRequest(title=f"Outage {i}", declared_by=ALICE)).number)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=declare, args=(i,)) for i in range(25)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, 26))


def test_a_failed_declare_leaves_a_gap_and_never_reuses_its_number(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Documented in the README: numbers are unique and increasing, not gap-free."""
    assert declare_incident(ctx, DeclareRequest(title="First", declared_by=ALICE)).number == 1

    def refuse(*_: object, **__: object) -> None:
        raise OperationalError("INSERT", {}, Exception("the database went away"))

    with monkeypatch.context() as patch:
        patch.setattr(incidents, "record_event", refuse)
        with pytest.raises(OperationalError):
            declare_incident(ctx, DeclareRequest(title="Lost", declared_by=ALICE))
    assert [i.number for i in list_incidents(ctx)] == [1]  # nothing of the failed declare was kept
    assert declare_incident(ctx, DeclareRequest(title="Third", declared_by=ALICE)).number == 3


def test_handover_and_roles(ctx: Context) -> None:
    declare_with_room(ctx)
    hand_over(ctx, channel_id="C0ROOM001", actor=ALICE, user_id=BOB)
    incident = assign_role(ctx, channel_id="C0ROOM001", actor=BOB, role="deputy", user_id=CAROL)
    assert incident.roles == {"commander": BOB, "deputy": CAROL}
    kinds = [kind for kind, _, _ in events(ctx)]
    assert kinds == ["declared", "commander_changed", "role_assigned"]
    with pytest.raises(UsageError, match="already the Incident Commander of INC-1"):
        hand_over(ctx, channel_id="C0ROOM001", actor=ALICE, user_id=BOB)


def test_changes_outside_a_war_room_are_refused(ctx: Context) -> None:
    declare_with_room(ctx)
    with pytest.raises(NotAnIncidentChannel, match="This isn't an incident channel"):
        post_update(ctx, channel_id="C0GENERAL", actor=ALICE, text="hello")


def test_severity_change_is_recorded_and_announced(ctx: Context) -> None:
    declare_with_room(ctx)
    before = len(effects(ctx))
    incident = change_severity(ctx, channel_id="C0ROOM001", actor=ALICE, severity="sev1")
    assert incident.severity == "SEV1"
    assert events(ctx)[-1] == ("severity_changed", ALICE, "Severity raised from SEV3 to SEV1")
    assert sorted(effects(ctx)[before:]) == sorted(
        [
            ("post_notice", "room"),
            ("post_notice", "announce"),
            ("sync_topic", "topic"),
            ("sync_announcement", "announce-edit"),
            ("sync_kickoff", "kickoff-edit"),
        ]
    )
    with pytest.raises(UsageError, match="INC-1 is already SEV1"):
        change_severity(ctx, channel_id="C0ROOM001", actor=ALICE, severity="1")


def test_update_posts_twice_note_posts_nothing(ctx: Context) -> None:
    declare_with_room(ctx)
    before = len(effects(ctx))
    post_update(ctx, channel_id="C0ROOM001", actor=ALICE, text="Rolled back")
    assert effects(ctx)[before:] == [("post_notice", "room"), ("post_notice", "announce")]
    add_note(ctx, channel_id="C0ROOM001", actor=BOB, text="api-7 OOMs")
    assert len(effects(ctx)) == before + 2
    assert events(ctx)[-2:] == [("update", ALICE, "Rolled back"), ("note", BOB, "api-7 OOMs")]


def test_lifecycle_stamps_times_and_illegal_moves_change_nothing(ctx: Context, clock: Clock) -> None:
    declare_with_room(ctx)
    clock.now += timedelta(minutes=12)
    incident = change_status(ctx, channel_id="C0ROOM001", actor=ALICE, action=Action.MITIGATE, text="rolled back")
    assert incident.status is Status.MITIGATED
    assert incident.mitigated_at == clock.now
    count = (len(events(ctx)), len(effects(ctx)))
    with pytest.raises(IllegalTransition, match="INC-1 is already mitigated"):
        change_status(ctx, channel_id="C0ROOM001", actor=ALICE, action=Action.MITIGATE)
    assert (len(events(ctx)), len(effects(ctx))) == count
    clock.now += timedelta(hours=1)
    incident = change_status(ctx, channel_id="C0ROOM001", actor=ALICE, action=Action.RESOLVE)
    assert incident.resolved_at == clock.now
    incident = change_status(ctx, channel_id="C0ROOM001", actor=BOB, action=Action.REOPEN, text="errors are back")
    assert incident.status is Status.INVESTIGATING
    assert incident.resolved_at is None
    assert [text for kind, _, text in events(ctx) if kind == "status_changed"] == [
        "Status changed from investigating to mitigated: rolled back",
        "Status changed from mitigated to resolved",
        "Status changed from resolved to investigating: errors are back",
    ]


def test_resolving_from_investigating_also_ends_impact(ctx: Context) -> None:
    declare_with_room(ctx)
    incident = change_status(ctx, channel_id="C0ROOM001", actor=ALICE, action=Action.RESOLVE)
    assert incident.mitigated_at == incident.resolved_at


def test_pins_are_captured_once(ctx: Context) -> None:
    number = declare_with_room(ctx)
    assert request_pin_capture(ctx, channel_id="C0ROOM001", message_ts="1700000000.000100", reactor=BOB)
    assert request_pin_capture(ctx, channel_id="C0ROOM001", message_ts="1700000000.000100", reactor=CAROL)
    assert not request_pin_capture(ctx, channel_id="C0GENERAL", message_ts="1700000000.000100", reactor=BOB)
    assert [kind for kind, _ in effects(ctx)].count("capture_pin") == 1
    incident = get_incident(ctx, number)
    kwargs = {"incident_id": incident.id, "channel_id": "C0ROOM001", "message_ts": "1700000000.000100"}
    assert record_pin(ctx, author=CAROL, text="DB CPU 100%", reactor=BOB, **kwargs)  # type: ignore[arg-type]
    assert not record_pin(ctx, author=CAROL, text="DB CPU 100%", reactor=BOB, **kwargs)  # type: ignore[arg-type]
    with ctx.db.read() as session:
        pins = session.scalars(select(TimelineEvent).where(TimelineEvent.kind == EventKind.PIN.value)).all()
        assert len(pins) == 1
        assert pins[0].actor == CAROL
        assert pins[0].at.timestamp() == 1700000000.0001
        assert session.scalar(select(func.count()).select_from(TimelineEvent)) == 2


def test_simultaneous_changes_to_one_incident_apply_one_after_the_other(ctx: Context) -> None:
    declare_with_room(ctx)
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def mitigate() -> None:
        barrier.wait()
        try:
            change_status(ctx, channel_id="C0ROOM001", actor=ALICE, action=Action.MITIGATE)
            outcomes.append("mitigated")
        except IllegalTransition:
            outcomes.append("refused")

    threads = [threading.Thread(target=mitigate) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["mitigated"] + ["refused"] * 5
    assert [kind for kind, _, _ in events(ctx)].count("status_changed") == 1


def test_simultaneous_role_assignments_do_not_collide(ctx: Context) -> None:
    declare_with_room(ctx)
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def assign(user: str) -> None:
        barrier.wait()
        try:
            assign_role(ctx, channel_id="C0ROOM001", actor=ALICE, role="deputy", user_id=user)
        except UsageError:
            pass
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=assign, args=(user,)) for user in (BOB, CAROL, BOB, CAROL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert get_incident(ctx, 1).roles["deputy"] in (BOB, CAROL)


def test_a_persons_declare_is_detected_when_declared(ctx: Context, clock: Clock) -> None:
    incident = declare_incident(ctx, DeclareRequest(title="Checkout failing", declared_by=ALICE))
    assert incident.detected_at == clock() == incident.declared_at
    assert incident.impact_started_at is None  # not said yet: taken to be the detection time
    [listed] = list_incidents(ctx)
    assert listed.detected_at == clock() and listed.impact_started_at is None
