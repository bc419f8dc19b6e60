"""The Atlassian Statuspage bridge, delivered by the real outbox gateway to a fake Statuspage over HTTP: published
public updates create one remote incident and then update it, maintenance becomes a scheduled incident, 5xx is
retried, a lost answer or a redelivery never makes a second incident, and a refusal fails for good without the key
in any log."""

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select, update

from firebell.domain.policy import Policy
from firebell.domain.status_page.vocabulary import ComponentStatus, PublicStatus
from firebell.emulator import EmulatorServer, SlackEmulator
from firebell.services.effects import EffectKind
from firebell.services.incidents import DeclareRequest, declare_incident
from firebell.services.status_page.maintenance import cancel_maintenance, schedule_maintenance
from firebell.services.status_page.publishing import draft_public_update
from firebell.store.models import Effect, StatuspageLink
from tests.clock import Clock
from tests.harness import Firebell, running_firebell
from tests.notifiers.fake_statuspage import FakeStatuspage
from tests.notifiers.fakes import serving

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
ALICE = "U0ALICE00"
API_KEY = "sp-key-0123456789abcdef"
PAGE = "pg7test0page"
COMPONENTS = {"checkout-api": "cmpcheckout01", "search": "cmpsearch0002"}


@pytest.fixture
def statuspage() -> Iterator[tuple[FakeStatuspage, str]]:
    fake = FakeStatuspage(page_id=PAGE, api_key=API_KEY, component_ids=tuple(COMPONENTS.values()))
    with serving(fake.app()) as url:
        yield fake, url


def bridge_policy(url: str, components: dict[str, str] = COMPONENTS) -> Policy:
    return Policy.model_validate(
        {
            "status_page": {
                "components": [{"name": "Checkout API", "group": "Payments"}, {"name": "Search"}],
                "statuspage_io": {
                    "page_id": PAGE,
                    "api_key_env": "STATUSPAGE_API_KEY",
                    "api_url": url,
                    "components": components,
                },
            }
        }
    )


@pytest.fixture
def firebell(  # noqa: PLR0917 (pytest fixtures)
    emu: SlackEmulator,
    slack: EmulatorServer,
    database_url: str,
    clean_db: Engine,
    statuspage: tuple[FakeStatuspage, str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Firebell]:
    monkeypatch.setenv("STATUSPAGE_API_KEY", API_KEY)
    with running_firebell(emu, slack, database_url, bridge_policy(statuspage[1]), clock=Clock(START)) as running:
        yield running


def publish(firebell: Firebell, number: int, status: PublicStatus, body: str, **components: ComponentStatus) -> None:
    draft_public_update(
        firebell.runtime.ctx,
        number=number,
        by=ALICE,
        status=status,
        body=body,
        components=components,
        title="Card payments failing",
        publish=True,
    )


def declare(firebell: Firebell) -> int:
    return declare_incident(
        firebell.runtime.ctx, DeclareRequest(title="db primary OOM", declared_by=ALICE, severity="SEV1")
    ).number


def bridge_effects(firebell: Firebell) -> list[Effect]:
    with firebell.runtime.ctx.db.read() as session:
        query = select(Effect).where(Effect.kind == EffectKind.STATUSPAGE.value).order_by(Effect.id)
        return list(session.scalars(query))


def let_time_pass(firebell: Firebell, delta: timedelta = timedelta(minutes=1)) -> None:
    assert firebell.clock is not None
    firebell.wait_for(lambda: firebell.runtime.gateway.wait_idle(1), what="the gateway to go quiet")
    firebell.clock.advance(delta)
    firebell.runtime.gateway.wake()
    firebell.settle()


def test_published_updates_make_one_remote_incident_and_update_it(
    firebell: Firebell, statuspage: tuple[FakeStatuspage, str]
) -> None:
    fake = statuspage[0]
    number = declare(firebell)
    publish(
        firebell,
        number,
        PublicStatus.INVESTIGATING,
        "Some card payments fail.",
        checkout_api=ComponentStatus.PARTIAL_OUTAGE,
    )
    firebell.settle()
    publish(firebell, number, PublicStatus.RESOLVED, "Payments work again.", checkout_api=ComponentStatus.OPERATIONAL)
    firebell.settle()

    assert [(method, path.rsplit("/", 1)[-1] == "incidents") for method, path, _ in fake.requests] == [
        ("POST", True),
        ("PATCH", False),
    ]
    assert set(fake.authorizations) == {f"OAuth {API_KEY}"}
    [remote] = fake.incidents.values()
    assert (remote["name"], remote["status"]) == ("Card payments failing", "resolved")
    assert [u["body"] for u in remote["incident_updates"]] == ["Payments work again.", "Some card payments fail."]
    assert remote["components"] == {"cmpcheckout01": "operational"}
    created = fake.requests[0][2]["incident"]
    assert created["status"] == "investigating" and created["components"] == {"cmpcheckout01": "partial_outage"}
    assert created["component_ids"] == ["cmpcheckout01"] and "incident_db" not in str(created)
    with firebell.runtime.ctx.db.read() as session:
        link = session.scalars(select(StatuspageLink)).one()
    assert (link.kind, link.remote_id) == ("incident", remote["id"])
    assert all(e.status == "done" for e in bridge_effects(firebell))


def test_maintenance_becomes_a_scheduled_incident_and_cancelling_completes_it(
    firebell: Firebell, statuspage: tuple[FakeStatuspage, str]
) -> None:
    fake = statuspage[0]
    ctx = firebell.runtime.ctx
    view = schedule_maintenance(
        ctx,
        components=["Search", "checkout-api"],
        starts_at=START + timedelta(days=1),
        ends_at=START + timedelta(days=1, hours=2),
        title="Search index rebuild",
        body="Search may return stale results.",
        by=ALICE,
    )
    firebell.settle()
    [remote] = fake.incidents.values()
    assert remote["status"] == "scheduled" and remote["component_ids"] == ["cmpsearch0002", "cmpcheckout01"]
    sent = fake.requests[0][2]["incident"]
    assert (sent["scheduled_for"], sent["scheduled_until"]) == (
        "2026-11-25T09:00:00+00:00",
        "2026-11-25T11:00:00+00:00",
    )
    assert sent["auto_transition_to_maintenance_state"] and sent["scheduled_auto_completed"]
    cancel_maintenance(ctx, view.public_id, by=ALICE)
    firebell.settle()
    assert remote["status"] == "completed" and len(fake.incidents) == 1
    assert remote["incident_updates"][0]["body"] == "This scheduled maintenance has been cancelled."


def test_a_5xx_is_retried_and_a_lost_answer_or_a_redelivery_makes_no_second_incident(
    firebell: Firebell, statuspage: tuple[FakeStatuspage, str]
) -> None:
    fake = statuspage[0]
    fake.script = [503]
    number = declare(firebell)
    publish(firebell, number, PublicStatus.INVESTIGATING, "Looking into it.")
    firebell.wait_for(lambda: fake.requests, what="the first attempt")
    assert fake.incidents == {}
    let_time_pass(firebell)
    assert len(fake.incidents) == 1  # the retry made it

    fake.lose_next = True  # the next create is made, but its answer is lost
    ctx = firebell.runtime.ctx
    schedule_maintenance(
        ctx,
        components=["search"],
        starts_at=START + timedelta(hours=3),
        ends_at=START + timedelta(hours=4),
        title="Upgrade",
        body="Short upgrade.",
        by=ALICE,
    )
    firebell.wait_for(lambda: len(fake.incidents) == 2, what="the maintenance's create")
    let_time_pass(firebell)
    methods = [m for m, _, _ in fake.requests]
    assert methods[-2:] == ["POST", "GET"]  # the retry found the incident the lost answer was about
    assert len(fake.incidents) == 2

    with ctx.db.transaction() as session:  # an operator requeues every delivered effect: each is redelivered
        session.execute(update(Effect).where(Effect.kind == EffectKind.STATUSPAGE.value).values(status="pending"))
    firebell.runtime.gateway.wake()
    firebell.settle()
    assert len(fake.incidents) == 2 and [m for m, _, _ in fake.requests][-2:] == ["PATCH", "PATCH"]
    assert all(e.status == "done" for e in bridge_effects(firebell))


def test_a_wrong_key_or_an_unknown_component_fails_for_good_without_the_key_in_the_logs(
    firebell: Firebell, statuspage: tuple[FakeStatuspage, str], monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    fake = statuspage[0]
    caplog.set_level(logging.DEBUG)
    wrong = "sp-wrong-key-value-42"
    monkeypatch.setenv("STATUSPAGE_API_KEY", wrong)
    number = declare(firebell)
    publish(firebell, number, PublicStatus.INVESTIGATING, "Looking into it.")
    firebell.settle()
    [effect] = bridge_effects(firebell)
    assert effect.status == "dead" and effect.attempts == 1
    assert "Statuspage: HTTP 401 on POST: Could not authenticate" in (effect.last_error or "")
    assert fake.incidents == {} and fake.authorizations == [f"OAuth {wrong}"]
    assert wrong not in caplog.text and API_KEY not in caplog.text


def test_statuspage_refuses_what_it_does_not_know_with_422(  # noqa: PLR0917 (pytest fixtures)
    emu: SlackEmulator,
    slack: EmulatorServer,
    database_url: str,
    clean_db: Engine,
    statuspage: tuple[FakeStatuspage, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake, url = statuspage
    headers = {"Authorization": f"OAuth {API_KEY}"}
    bad = {"incident": {"name": "x", "status": "on_fire", "components": {"cmpsearch0002": "broken"}}}
    answer = httpx.post(f"{url}/v1/pages/{PAGE}/incidents", json=bad, headers=headers, timeout=5)
    assert answer.status_code == 422 and "Status is not included in the list" in str(answer.json()["error"])

    monkeypatch.setenv("STATUSPAGE_API_KEY", API_KEY)
    policy = bridge_policy(url, {"checkout-api": "cmpnotonpage"})  # mapped to a component the page lacks
    with running_firebell(emu, slack, database_url, policy, clock=Clock(START)) as firebell:
        number = declare(firebell)
        publish(firebell, number, PublicStatus.IDENTIFIED, "Found it.", checkout_api=ComponentStatus.MAJOR_OUTAGE)
        firebell.settle()
        [effect] = bridge_effects(firebell)
    assert effect.status == "dead" and "HTTP 422 on POST" in (effect.last_error or "")
    assert "Component ids are not all components of this page" in (effect.last_error or "")
    assert fake.incidents == {}
