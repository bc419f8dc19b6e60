"""Declaring an incident for a service: `--service`, the declare form's Service select, what Slack and the API show."""

import json

import pytest
from sqlalchemy import Engine

from firebell.domain.errors import UsageError
from firebell.domain.oncall.config import Service
from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from firebell.slack.declare_grammar import Declare
from firebell.slack.grammar import parse_command
from tests.harness import Firebell, running_firebell

SERVICES = (Service(name="checkout", description="Payments and checkout API"), Service(name="search"))
WITH_SERVICES = Policy(services=SERVICES)


@pytest.fixture
def policy() -> Policy:
    return WITH_SERVICES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("declare sev2 Checkout down --service checkout", Declare("SEV2", "Checkout down", service="checkout")),
        ("declare Checkout down --service=Checkout", Declare(None, "Checkout down", service="checkout")),
        (
            "declare sev1 Cart empty --service checkout --detected 20m ago",
            Declare("SEV1", "Cart empty", detected="20m ago", service="checkout"),
        ),
        (
            "declare sev1 Cart empty --detected 14:02 --service search",
            Declare("SEV1", "Cart empty", detected="14:02", service="search"),
        ),
        ("declare sev2 --service search", Declare("SEV2", None, service="search")),
        ("declare Payments --service-ish down", Declare(None, "Payments --service-ish down")),
    ],
)
def test_service_flag_parses(text: str, expected: Declare) -> None:
    assert parse_command(text, WITH_SERVICES) == expected


@pytest.mark.parametrize(
    ("text", "policy", "message"),
    [
        ("declare X --service billing", WITH_SERVICES, "Unknown service `billing`. Valid services: checkout, search."),
        ("declare X --service", WITH_SERVICES, "`--service` needs a service name"),
        ("declare X --service checkout --service search", WITH_SERVICES, "`--service` is given twice"),
        ("declare X --service checkout api", WITH_SERVICES, "takes one service name"),
        ("declare X --service checkout", Policy(), "no services are defined in the policy file"),
    ],
)
def test_bad_service_flags_are_refused_with_what_is_valid(text: str, policy: Policy, message: str) -> None:
    with pytest.raises(UsageError) as refused:
        parse_command(text, policy)
    assert message in refused.value.message


def test_declare_names_the_service_in_slack_and_the_api(firebell: Firebell) -> None:
    emu, driver = firebell.emu, firebell.driver
    result = driver.slash_command(
        "/incident", "declare sev2 Payments failing --service checkout", user="alice", channel="general"
    )
    assert "Declared *INC-1* (SEV2)" in driver.answer(result)["text"]
    room = firebell.war_room(1)
    firebell.settle()
    assert firebell.incident(1).service == "checkout"
    kickoff = firebell.bot_messages(room.id)[0]
    [summary] = [b for b in kickoff.blocks if b.get("block_id") == "kickoff.summary"]
    assert "*Service*\ncheckout" in [f["text"] for f in summary["fields"]]
    channel = emu.channel_by_name("incidents")
    assert channel is not None
    [announcement] = firebell.bot_messages(channel.id)
    assert "*Service*\\ncheckout" in json.dumps(announcement.blocks)
    [listed] = firebell.api("/api/v1/incidents").json()
    assert listed["service"] == "checkout" and listed["acknowledged_at"] is None
    assert firebell.api("/api/v1/incidents/1").json()["service"] == "checkout"
    [(kind, _, _)] = firebell.timeline(1)
    assert kind == "declared"


def test_an_unknown_service_is_refused_and_nothing_is_declared(firebell: Firebell) -> None:
    result = firebell.driver.slash_command(
        "/incident", "declare sev2 Payments failing --service <!channel>", user="alice", channel="general"
    )
    answer = firebell.driver.answer(result)
    assert answer["response_type"] == "ephemeral"
    assert "Unknown service" in answer["text"] and "Valid services: checkout, search." in answer["text"]
    assert "<!channel>" not in json.dumps(answer)
    assert firebell.api("/api/v1/incidents").json() == []


def test_the_declare_form_offers_the_services(firebell: Firebell) -> None:
    emu, driver = firebell.emu, firebell.driver
    driver.slash_command("/incident", "declare sev2 --service search", user="alice", channel="general")
    view = firebell.wait_for(lambda: next(iter(emu.views.values()), None), what="the declare modal")
    [service] = [b for b in view.view["blocks"] if b["block_id"] == "service"]
    assert [o["value"] for o in service["element"]["options"]] == ["checkout", "search"]
    assert service["element"]["initial_option"]["value"] == "search"
    assert service["optional"] is True
    submit = driver.submit_view("alice", view.id, {"title": "Search is slow", "service": "checkout"})
    assert submit.json()["response_action"] == "update"
    firebell.war_room(1)
    assert firebell.incident(1).service == "checkout"


def test_the_declare_form_has_no_service_select_without_services(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine
) -> None:
    with running_firebell(emu, slack, database_url, Policy()) as firebell:
        firebell.driver.slash_command("/incident", "declare", user="alice", channel="general")
        view = firebell.wait_for(lambda: next(iter(firebell.emu.views.values()), None), what="the declare modal")
        assert "service" not in [b["block_id"] for b in view.view["blocks"]]
        firebell.driver.submit_view("alice", view.id, {"title": "Search is slow"})
        firebell.war_room(1)
        assert firebell.incident(1).service is None
