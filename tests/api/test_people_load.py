"""GET /api/v1/people/{user}/load over real HTTP: page notifications (in or out of working hours, in the person's
Slack time zone learned from users.info), answers to pages, and Incident Commander assignments. The page rows are
written through the store models, as the paging engine writes them."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from firebell.services.incidents import DeclareRequest, declare_incident
from firebell.services.roles import hand_over
from firebell.store.models import Page, PageNotification, PageResponse
from tests.clock import Clock
from tests.harness import Firebell, running_firebell

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)  # Saturday
TUESDAY = datetime(2026, 11, 24, tzinfo=UTC)  # New York is UTC-5 in November


@pytest.fixture
def firebell(emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine) -> Iterator[Firebell]:
    with running_firebell(emu, slack, database_url, Policy(), clock=Clock(NOW)) as running:
        yield running


def load(firebell: Firebell, user: str, **params: Any) -> dict[str, Any]:
    response = firebell.api(f"/api/v1/people/{user}/load", **params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def page(firebell: Firebell, number: int, user: str, moments: list[datetime]) -> int:
    """A page of incident `number` that notified `user` at each of `moments`; its id."""
    with firebell.runtime.ctx.db.transaction() as session:
        incident_id = firebell.incident(number).id
        row = Page(incident_id=incident_id, target=f"user:{user}", created_at=moments[0], status="active")
        row.step_since = moments[0]
        session.add(row)
        session.flush()
        for step, moment in enumerate(moments):
            session.add(
                PageNotification(
                    page_id=row.id,
                    incident_id=incident_id,
                    user_id=user,
                    round=0,
                    step=step,
                    via=f"user:{user}",
                    at=moment,
                )
            )
        return row.id


def respond(firebell: Firebell, number: int, page_id: int, user: str, *, kind: str, moment: datetime) -> None:
    with firebell.runtime.ctx.db.transaction() as session:
        session.add(
            PageResponse(
                page_id=page_id,
                incident_id=firebell.incident(number).id,
                user_id=user,
                kind=kind,
                at=moment,
                once_key=f"{kind}:{page_id}:{user}:{moment.isoformat()}",
            )
        )


def test_notifications_are_judged_in_the_persons_own_working_hours(firebell: Firebell, emu: SlackEmulator) -> None:
    nina = emu.add_user("nina", tz="America/New_York")
    incident = declare_incident(firebell.runtime.ctx, DeclareRequest(title="Checkout down", declared_by=nina))
    in_hours = TUESDAY + timedelta(hours=14)  # 09:00 in New York
    before_hours = TUESDAY + timedelta(hours=13, minutes=59)  # 08:59 in New York, but 13:59 UTC
    saturday = NOW - timedelta(hours=1)
    page_id = page(firebell, incident.number, nina, [before_hours, in_hours, saturday])
    respond(firebell, incident.number, page_id, nina, kind="cant", moment=in_hours + timedelta(minutes=1))
    respond(firebell, incident.number, page_id, nina, kind="acknowledge", moment=saturday + timedelta(minutes=2))

    unknown = load(firebell, nina, since="2026-11-01T00:00:00Z")
    assert unknown["time_zone"] is None  # not asked yet: read in UTC, and said so
    assert [n["outside_working_hours"] for n in unknown["notifications"]] == [False, False, True]

    assert firebell.runtime.scheduler.learn_time_zones() == 1  # users.info, in the background
    assert emu.calls_to("users.info")
    body = load(firebell, nina, since="2026-11-01T00:00:00Z")
    assert body["time_zone"] == "America/New_York"
    assert body["working_hours"] == "mon-fri 09:00-18:00"
    assert [(n["at"], n["incident"], n["page_id"], n["outside_working_hours"]) for n in body["notifications"]] == [
        ("2026-11-24T13:59:00Z", incident.number, page_id, True),
        ("2026-11-24T14:00:00Z", incident.number, page_id, False),
        ("2026-11-28T11:00:00Z", incident.number, page_id, True),
    ]
    assert [(r["kind"], r["at"]) for r in body["responses"]] == [
        ("cant", "2026-11-24T14:01:00Z"),
        ("acknowledge", "2026-11-28T11:02:00Z"),
    ]
    assert body["counts"] == {
        "notifications": 3,
        "outside_working_hours": 2,
        "acknowledgements": 1,
        "cant": 1,
        "escalations": 0,
        "commander_assignments": 1,  # she declared, so she holds command
    }
    assert firebell.runtime.scheduler.learn_time_zones() == 0  # known now: not asked again


def test_since_cuts_the_range(firebell: Firebell, emu: SlackEmulator) -> None:
    nina = emu.add_user("nina", tz="America/New_York")
    incident = declare_incident(firebell.runtime.ctx, DeclareRequest(title="Checkout down", declared_by=nina))
    page(firebell, incident.number, nina, [TUESDAY + timedelta(hours=3), NOW - timedelta(hours=2)])
    body = load(firebell, nina, since="2026-11-27T00:00:00-05:00")
    assert [n["at"] for n in body["notifications"]] == ["2026-11-28T10:00:00Z"]
    assert body["since"] == "2026-11-27T05:00:00Z" and body["until"] == "2026-11-28T12:00:00Z"
    assert body["counts"]["commander_assignments"] == 1  # the declare, at NOW


def test_commander_assignments_come_from_declares_and_handovers(firebell: Firebell, emu: SlackEmulator) -> None:
    alice, bob = emu.user("alice").id, emu.user("bob").id
    ctx = firebell.runtime.ctx
    first = declare_incident(ctx, DeclareRequest(title="One", declared_by=alice))
    second = declare_incident(ctx, DeclareRequest(title="Two", declared_by=bob))
    hand_over(ctx, channel_id=firebell.war_room(first.number).id, actor=alice, user_id=bob)
    body = load(firebell, bob)  # since: 30 days back by default
    assert sorted(c["incident"] for c in body["commander_assignments"]) == [first.number, second.number]
    assert load(firebell, alice)["counts"]["commander_assignments"] == 1  # she held the first before handing it on


def test_someone_with_nothing_has_an_empty_load(firebell: Firebell) -> None:
    body = load(firebell, "U0NOBODY00")
    assert body["notifications"] == [] and body["responses"] == [] and body["commander_assignments"] == []
    assert set(body["counts"].values()) == {0}
    assert body["time_zone"] is None


@pytest.mark.parametrize(
    ("path", "params", "said"),
    [
        ("/api/v1/people/not-a-user/load", {}, "user"),
        ("/api/v1/people/U0ALICE000/load", {"since": "yesterday"}, "RFC 3339"),
    ],
)
def test_bad_input_is_a_400_naming_it(firebell: Firebell, path: str, params: dict[str, str], said: str) -> None:
    response = firebell.api(path, **params)
    assert response.status_code == 400
    assert said in response.json()["detail"]


@pytest.mark.parametrize(
    ("since", "shown"),
    [("0352-06-03T07:27:24Z", "1970-01-01T00:00:00Z"), ("2030-01-01T00:00:00Z", "2030-01-01T00:00:00Z")],
)
def test_any_moment_is_a_start_and_one_after_now_finds_nothing(firebell: Firebell, since: str, shown: str) -> None:
    body = load(firebell, "U0ALICE000", since=since)
    assert body["since"] == shown and body["notifications"] == [] and body["counts"]["notifications"] == 0


def test_the_load_needs_the_api_token(firebell: Firebell) -> None:
    assert firebell.api("/api/v1/people/U0ALICE000/load", token=None).status_code == 401


def test_schedule_members_time_zones_are_learned_at_start(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine
) -> None:
    nina = emu.add_user("nina", tz="America/New_York")
    odd = emu.add_user("odd", tz="Mars/Olympus_Mons")  # not a zone this machine knows: unknown, UTC
    policy = Policy.model_validate(
        {"schedules": [{"name": "ops", "layers": [{"members": [nina, odd], "start": "2026-11-02"}]}]}
    )
    with running_firebell(emu, slack, database_url, policy, clock=Clock(NOW)) as firebell:
        warmup = firebell.runtime._warmup
        assert warmup is not None
        warmup.join(10)
        assert load(firebell, nina)["time_zone"] == "America/New_York"
        assert load(firebell, odd)["time_zone"] is None
    asked = {c.args.get("user") for c in emu.calls_to("users.info")}
    assert {nina, odd} <= asked
