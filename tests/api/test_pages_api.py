"""`GET /api/v1/pages` over real HTTP: an incident's pages with who was notified, and the pages still waiting."""

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
import yaml
from sqlalchemy import Engine

from firebell.emulator import EmulatorServer, SlackEmulator
from tests.api.conftest import emu, slack
from tests.clock import Clock
from tests.harness import API_TOKEN, Firebell, running_firebell
from tests.services.paging.conftest import POLICY, START, paging_policy

__all__ = ["emu", "slack"]


IVY = "U0ERIN0000"  # the IC rotation's member must be someone the emulated Slack can DM (else: unreachable, moved on)


@pytest.fixture
def firebell(emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine) -> Iterator[Firebell]:
    schedules = yaml.safe_load(POLICY)["schedules"]
    for schedule in schedules:
        for layer in schedule["layers"]:
            layer["members"] = [IVY if m == "U05IVY" else m for m in layer["members"]]
    policy = paging_policy(schedules=schedules)
    with running_firebell(emu, slack, database_url, policy, clock=Clock(START)) as running:
        yield running


def get(firebell: Firebell, query: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    return httpx.get(f"{firebell.url}/api/v1/pages{query}", headers=headers, timeout=10)


def test_an_incident_s_pages_show_where_they_stand_and_whom_they_reached(firebell: Firebell) -> None:
    firebell.driver.slash_command("/incident", "declare sev1 Checkout failing", user="alice", channel="general")
    firebell.tick()
    [page] = get(firebell, "?incident=1").json()
    assert (page["incident"], page["target"], page["status"]) == (1, "schedule:ic-rotation", "active")
    assert (page["round"], page["step"], page["reason"]) == (1, 1, "SEV1 declared: an Incident Commander is needed")
    assert [(n["user"], n["round"], n["step"], n["via"]) for n in page["notifications"]] == [
        (IVY, 1, 1, "schedule:ic-rotation")
    ]
    assert page["next_escalation_at"] is not None
    assert [p["id"] for p in get(firebell, "").json()] == [page["id"]]  # still waiting for an answer
    assert firebell.advance(timedelta(hours=1)) >= 1  # a stall past every round: the last one is told once, now
    [page] = get(firebell, "?incident=1").json()
    assert (page["status"], page["round"], len(page["notifications"])) == ("active", 3, 2)
    assert firebell.advance(timedelta(minutes=6)) >= 1  # and its wait runs out: unanswered
    [page] = get(firebell, "?incident=1").json()
    assert page["status"] == "exhausted" and page["next_escalation_at"] is None


def test_an_unknown_incident_is_404_and_a_bad_number_400(firebell: Firebell) -> None:
    missing = get(firebell, "?incident=7")
    assert missing.status_code == 404 and "INC-7" in missing.json()["detail"]
    assert get(firebell, "?incident=seven").status_code == 400
    assert httpx.get(f"{firebell.url}/api/v1/pages", timeout=10).status_code == 401
