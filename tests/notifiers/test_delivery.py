"""Notifier effects delivered by the real outbox gateway to fake services over HTTP: once per event, in order
per incident, retried on 429/5xx, given up on other 4xx, and never held back by a Slack outage."""

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from firebell.domain.lifecycle import Action
from firebell.domain.paging import NotifyEvent, PageNotice, PageStatus, incident_key
from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from firebell.services.effects import EffectKind, enqueue_many
from firebell.services.incidents import DeclareRequest, declare_incident
from firebell.services.lifecycle import change_status
from firebell.services.paging.notifier_effects import notifier_effects
from firebell.store.models import Effect
from firebell.store.paging_models import Page
from tests.clock import Clock
from tests.harness import Firebell, running_firebell
from tests.notifiers.conftest import HOOK_SECRET, NTFY_TOKEN
from tests.notifiers.fakes import FakeNtfy, FakePagerDuty, WebhookReceiver
from tests.notifiers.notices import ALICE, BOB, notice

Fake = tuple[Any, str]
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def policy(receiver: Fake, ntfy_server: Fake, pagerduty_api: Fake) -> Policy:
    """A webhook, an ntfy topic for Alice and one for the team, and the PagerDuty bridge, all at the fakes."""
    return Policy.model_validate(
        {
            "paging": {
                "notifiers": [
                    {"name": "hook", "kind": "webhook", "url": receiver[1], "secret_env": "HOOK_SECRET"},
                    {
                        "name": "alice-phone",
                        "kind": "ntfy",
                        "url": f"{ntfy_server[1]}/oncall-alice",
                        "token_env": "NTFY_TOKEN",
                        "users": [ALICE],
                    },
                    {
                        "name": "team",
                        "kind": "ntfy",
                        "url": f"{ntfy_server[1]}/oncall-team",
                        "token_env": "NTFY_TOKEN",
                        "events": ["notify", "acknowledge", "resolve"],
                    },
                    {"name": "pd", "kind": "pagerduty", "routing_key_env": "PD_ROUTING_KEY", "url": pagerduty_api[1]},
                ]
            }
        }
    )


@pytest.fixture
def firebell(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, policy: Policy
) -> Iterator[Firebell]:
    """Firebell on a hand-moved clock, with the notifiers pointed at the fakes."""
    with running_firebell(emu, slack, database_url, policy, clock=Clock(START)) as running:
        yield running


def open_page(firebell: Firebell, title: str = "Checkout is down") -> PageNotice:
    """Declare an incident and start a page of it (as the paging engine would); the page's first notice."""
    ctx = firebell.runtime.ctx
    incident = declare_incident(ctx, DeclareRequest(title=title, declared_by=ALICE, severity="SEV1"))
    now = ctx.clock()
    with ctx.db.transaction() as session:
        page = Page(
            incident_id=incident.id, target="service:checkout", service="checkout", created_at=now,
            status=PageStatus.ACTIVE.value, step_since=now,
        )  # fmt: skip
        session.add(page)
        session.flush()
        page_id = page.id
    return notice(
        page_id=page_id,
        incident_id=incident.id,
        incident_number=incident.number,
        incident_key=incident_key(incident.id),
        title=title,
        at=now,
    )


def send(firebell: Firebell, *notices: PageNotice) -> None:
    """Enqueue the notifier effects of these page events in one transaction and one statement (the engine may
    batch a step's people so: a repeated PagerDuty trigger key within the statement must be skipped too)."""
    ctx = firebell.runtime.ctx
    with ctx.db.transaction() as session:
        enqueue_many(session, [row for n in notices for row in notifier_effects(ctx.policy, n, now=ctx.clock())])


def notify_effects(firebell: Firebell) -> list[Effect]:
    with firebell.runtime.ctx.db.read() as session:
        return list(session.scalars(select(Effect).where(Effect.kind == EffectKind.NOTIFY.value).order_by(Effect.id)))


def test_each_event_reaches_each_notifier_once_and_in_order(
    firebell: Firebell, receiver: Fake, ntfy_server: Fake, pagerduty_api: Fake
) -> None:
    hook, ntfy, pd = receiver[0], ntfy_server[0], pagerduty_api[0]
    first = open_page(firebell)
    page = [first, notice_for(first, user=BOB), notice_for(first, NotifyEvent.ACKNOWLEDGE, user=BOB)]
    send(firebell, *page)
    send(firebell, notice_for(first, NotifyEvent.RESOLVE, user=None))
    firebell.settle()

    assert [(e["event"], e["user"]) for e in hook.events] == [
        ("notify", ALICE),
        ("notify", BOB),
        ("acknowledge", BOB),
        ("resolve", None),
    ]
    assert hook.refused == [] and len(set(hook.deliveries)) == 4
    assert {e["incident"]["key"] for e in hook.events} == {first.incident_key}
    alice = [m for m in ntfy.messages if m.topic == "oncall-alice"]
    assert [(m.priority, m.title) for m in alice] == [(5, f"INC-{first.incident_number} SEV1: Checkout is down")]
    assert alice[0].authorization == f"Bearer {NTFY_TOKEN}"
    team = [m for m in ntfy.messages if m.topic == "oncall-team"]
    assert [m.priority for m in team] == [5, 5, 2, 2]
    assert [e["event_action"] for e in pd.events] == ["trigger", "acknowledge", "resolve"]  # one trigger per page
    assert {e["dedup_key"] for e in pd.events} == {first.incident_key}
    assert all(e.status == "done" for e in notify_effects(firebell))


def test_server_errors_and_rate_limits_are_retried_without_reordering(
    firebell: Firebell, receiver: Fake, ntfy_server: Fake, pagerduty_api: Fake
) -> None:
    hook: WebhookReceiver = receiver[0]
    ntfy: FakeNtfy = ntfy_server[0]
    pd: FakePagerDuty = pagerduty_api[0]
    hook.script = [(503, None), (502, None)]
    ntfy.script, ntfy.script_topic = [(429, "20")], "oncall-team"
    pd.script = [(429, "30"), (500, None)]
    first = open_page(firebell)
    send(firebell, first, notice_for(first, NotifyEvent.ACKNOWLEDGE))
    # The acknowledgements wait behind the refused pages in their lanes, so the outbox never settles here:
    # wait for the gateway to have nothing it may send, then let time pass on the clock.
    firebell.wait_for(lambda: (hook.requests, ntfy.requests, pd.requests) == (1, 2, 1), what="first attempts")
    assert firebell.runtime.gateway.wait_idle(10)
    assert (hook.events, pd.events) == ([], [])
    assert [m.topic for m in ntfy.messages] == ["oncall-alice"]  # the team topic answered 429
    for _ in range(3):
        assert firebell.clock is not None
        firebell.clock.advance(timedelta(minutes=1))
        firebell.runtime.gateway.wake()
        firebell.wait_for(lambda: firebell.runtime.gateway.wait_idle(1), what="the gateway to go quiet")
    firebell.settle()

    assert [e["event"] for e in hook.events] == ["notify", "acknowledge"]
    assert hook.requests == 4  # two refusals, then each event once
    assert [m.priority for m in ntfy.messages if m.topic == "oncall-team"] == [5, 2]
    assert [e["event_action"] for e in pd.events] == ["trigger", "acknowledge"]
    assert pd.requests == 4
    assert all(e.status == "done" for e in notify_effects(firebell))


def test_a_refusal_for_good_is_not_retried_and_goes_on_the_timeline_without_the_secret(
    firebell: Firebell, pagerduty_api: Fake, ntfy_server: Fake, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    pd: FakePagerDuty = pagerduty_api[0]
    wrong_key, wrong_token = "f" * 32, "tk_wrong_token_value"
    monkeypatch.setenv("PD_ROUTING_KEY", wrong_key)
    monkeypatch.setenv("NTFY_TOKEN", wrong_token)
    caplog.set_level(logging.INFO)
    first = open_page(firebell)
    send(firebell, first)
    firebell.settle()
    firebell.advance(timedelta(hours=1))
    firebell.settle()

    assert pd.events == [] and pd.requests == 0  # the fake refused it before counting: 400, once
    by_notifier = {e.payload["notifier"]: e for e in notify_effects(firebell)}
    assert by_notifier["pd"].status == "dead" and by_notifier["pd"].attempts == 1
    assert "HTTP 400: Event object is invalid; 'routing_key' is invalid" in (by_notifier["pd"].last_error or "")
    assert by_notifier["team"].status == "dead" and "HTTP 401: unauthorized" in (by_notifier["team"].last_error or "")
    assert by_notifier["hook"].status == "done"
    timeline = " ".join(text for _, _, text in firebell.timeline(first.incident_number))
    assert "A page notify was not delivered: pagerduty notifier 'pd': HTTP 400" in timeline
    for secret in (wrong_key, wrong_token, HOOK_SECRET, ntfy_server[1]):
        assert secret not in timeline and secret not in caplog.text
    room = firebell.war_room(first.incident_number)
    told = [json.dumps(m.blocks) for m in firebell.bot_messages(room.id) if (m.text or "").startswith("Notifier ")]
    assert len(told) == 3  # once per notifier that failed for good (pd, team, alice-phone), not once per event
    assert any("The notifier *pd* could not deliver a page notify for good" in t for t in told)
    assert any("*team*" in t and "HTTP 401: unauthorized" in t for t in told)
    for secret in (wrong_key, wrong_token):
        assert not any(secret in t for t in told)


def test_a_notifier_failing_before_the_war_room_exists_is_told_there_once_it_does(
    firebell: Firebell, emu: SlackEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu.faults.add("conversations.create", "server_error")  # the room comes on a retry, later
    monkeypatch.setenv("PD_ROUTING_KEY", "f" * 32)  # a key PagerDuty refuses for good
    first = open_page(firebell)
    send(firebell, first)
    # (not settle(): the room's own posts are due and wait for the room)
    firebell.wait_for(lambda: {e.payload["notifier"]: e.status for e in notify_effects(firebell)}["pd"] == "dead")
    assert firebell.incident(first.incident_number).channel_id is None  # failed while there was no room yet

    assert firebell.clock is not None
    firebell.clock.advance(timedelta(minutes=2))  # the retry of the room is due; the outbox carries on alone
    room = firebell.war_room(first.incident_number)
    firebell.settle()
    told = [json.dumps(m.blocks) for m in firebell.bot_messages(room.id) if (m.text or "").startswith("Notifier ")]
    assert len(told) == 1 and "The notifier *pd* could not deliver a page notify for good" in told[0]


def test_slack_down_does_not_hold_back_outside_notifiers(
    firebell: Firebell, emu: SlackEmulator, receiver: Fake, ntfy_server: Fake
) -> None:
    emu.faults.add("*", "server_error", times=None)
    first = open_page(firebell)  # its war room cannot be made while Slack is down
    send(firebell, first)
    firebell.wait_for(lambda: receiver[0].events and len(ntfy_server[0].messages) == 2, what="webhook and ntfy")
    assert firebell.incident(first.incident_number).channel_id is None
    assert receiver[0].events[0]["room_url"] == first.room_url


def test_a_page_of_a_resolved_incident_is_never_sent(firebell: Firebell, receiver: Fake, pagerduty_api: Fake) -> None:
    first = open_page(firebell)
    room = firebell.war_room(first.incident_number)
    ctx = firebell.runtime.ctx
    change_status(ctx, channel_id=room.id, actor=ALICE, action=Action.RESOLVE)
    send(firebell, first, notice_for(first, NotifyEvent.RESOLVE, user=None))
    firebell.settle()
    assert [e["event"] for e in receiver[0].events] == ["resolve"]
    assert [e["event_action"] for e in pagerduty_api[0].events] == ["resolve"]


def notice_for(first: PageNotice, event: NotifyEvent = NotifyEvent.NOTIFY, **changes: Any) -> PageNotice:
    """Another event of the same page."""
    return notice(
        event,
        page_id=first.page_id,
        incident_id=first.incident_id,
        incident_number=first.incident_number,
        incident_key=first.incident_key,
        title=first.title,
        at=first.at,
        **changes,
    )


def test_a_cancelled_page_wakes_nobody(firebell: Firebell, receiver: Fake, ntfy_server: Fake) -> None:
    first = open_page(firebell)
    with firebell.runtime.ctx.db.transaction() as session:
        page = session.get(Page, first.page_id)
        assert page is not None
        page.status = PageStatus.CANCELLED.value
    send(firebell, first)
    firebell.settle()
    assert receiver[0].events == [] and ntfy_server[0].messages == []
    assert {e.status for e in notify_effects(firebell)} == {"done"}


def test_a_secret_gone_from_the_environment_keeps_the_event_queued_and_says_which(
    firebell: Firebell, receiver: Fake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOOK_SECRET")
    first = open_page(firebell)
    send(firebell, first)
    firebell.settle()
    [hook] = [e for e in notify_effects(firebell) if e.payload["notifier"] == "hook"]
    assert (hook.status, hook.last_error) == ("pending", "notifier 'hook': environment variable HOOK_SECRET is not set")
    assert receiver[0].requests == 0
    monkeypatch.setenv("HOOK_SECRET", HOOK_SECRET)  # set, and the process restarted: it goes out
    firebell.advance(timedelta(minutes=2))
    firebell.settle()
    assert [e["event"] for e in receiver[0].events] == ["notify"]
