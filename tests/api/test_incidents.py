"""The REST API: secure by default, incidents and timelines, cursor pagination, invalid input answered 400/404."""

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from tests.harness import Firebell, running_firebell


def test_requires_the_bearer_token(firebell: Firebell) -> None:
    assert firebell.api("/api/v1/incidents", token=None).status_code == 401
    assert firebell.api("/api/v1/incidents", token="wrong").status_code == 401
    assert firebell.api("/api/v1/incidents").status_code == 200


@pytest.fixture
def no_token_firebell(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine
) -> Iterator[Firebell]:
    with running_firebell(emu, slack, database_url, Policy(), api_token=None) as running:
        yield running


def test_api_is_closed_when_no_token_is_configured(no_token_firebell: Firebell) -> None:
    response = no_token_firebell.api("/api/v1/incidents", token="anything")
    assert response.status_code == 403
    assert "FIREBELL_API_TOKEN" in response.json()["detail"]


def test_incidents_and_timeline(firebell: Firebell) -> None:
    firebell.driver.slash_command("/incident", "declare sev1 Checkout failing", user="alice", channel="general")
    room = firebell.war_room(1)
    firebell.driver.slash_command("/incident", "update rolling back", user="alice", channel=room.id)
    firebell.driver.slash_command("/incident", "mitigate", user="alice", channel=room.id)
    [item] = firebell.api("/api/v1/incidents").json()
    assert item["number"] == 1
    assert item["title"] == "Checkout failing"
    assert item["severity"] == "SEV1"
    assert item["status"] == "mitigated"
    assert item["commander"] == firebell.emu.user_id("alice")
    assert item["channel_id"] == room.id
    assert item["declared_at"].endswith(("Z", "+00:00"))
    assert item["mitigated_at"] is not None
    assert item["resolved_at"] is None
    detail = firebell.api("/api/v1/incidents/1").json()
    assert detail["cadence"]["updates_due"] == 1
    assert detail["cadence"]["updates_on_time"] == 1
    assert {k: v for k, v in detail.items() if k != "cadence"} == item
    timeline = firebell.api("/api/v1/incidents/1/timeline").json()
    assert [e["kind"] for e in timeline] == ["declared", "update", "status_changed"]
    assert set(timeline[0]) >= {"at", "kind", "actor", "text"}
    assert timeline[1]["text"] == "rolling back"


def test_missing_incident_is_404(firebell: Firebell) -> None:
    response = firebell.api("/api/v1/incidents/99")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no INC-99."}
    assert firebell.api("/api/v1/incidents/99/timeline").status_code == 404


def test_pagination_with_a_cursor(firebell: Firebell) -> None:
    for i in range(5):
        firebell.driver.slash_command("/incident", f"declare Outage {i}", user="alice", channel="general")
    first = firebell.api("/api/v1/incidents", limit=2)
    assert [i["number"] for i in first.json()] == [5, 4]
    cursor = first.headers["X-Next-Cursor"]
    assert 'rel="next"' in first.headers["Link"]
    second = firebell.api("/api/v1/incidents", limit=2, cursor=cursor)
    assert [i["number"] for i in second.json()] == [3, 2]
    third = firebell.api("/api/v1/incidents", limit=2, cursor=second.headers["X-Next-Cursor"])
    assert [i["number"] for i in third.json()] == [1]
    assert "X-Next-Cursor" not in third.headers
    assert firebell.api("/api/v1/incidents", cursor="abc").status_code == 400
    assert firebell.api("/api/v1/incidents", limit=0).status_code == 400


@pytest.mark.parametrize(
    "cursor",
    [
        "²",  # a digit to str.isdigit, not to int()
        "1" * 30,  # beyond any database integer
        str(2**31),  # beyond PostgreSQL's INTEGER
        "0",
        "-3",
        "1_0",  # int() reads it as 10
        " 5",
        "5.0",
        "",
    ],
)
def test_an_invalid_cursor_is_400_naming_it(firebell: Firebell, cursor: str) -> None:
    response = firebell.api("/api/v1/incidents", cursor=cursor)
    assert response.status_code == 400
    assert "'cursor'" in response.json()["detail"]


@pytest.mark.parametrize("number", [str(2**31), "9" * 30, "0", "-1", "1_0", "²"])
@pytest.mark.parametrize("resource", ["", "/timeline", "/postmortem", "/action-items"])
def test_an_impossible_incident_number_is_400_naming_it(firebell: Firebell, number: str, resource: str) -> None:
    response = firebell.api(f"/api/v1/incidents/{number}{resource}")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert "'number'" in response.json()["detail"]


def test_the_largest_incident_number_is_a_plain_404(firebell: Firebell) -> None:
    response = firebell.api(f"/api/v1/incidents/{2**31 - 1}/timeline")
    assert response.status_code == 404
    assert response.json() == {"detail": f"There is no INC-{2**31 - 1}."}


def test_open_filter(firebell: Firebell) -> None:
    firebell.driver.slash_command("/incident", "declare A", user="alice", channel="general")
    firebell.driver.slash_command("/incident", "declare B", user="alice", channel="general")
    room = firebell.war_room(1)
    firebell.driver.slash_command("/incident", "resolve", user="alice", channel=room.id)
    assert [i["number"] for i in firebell.api("/api/v1/incidents", status="open").json()] == [2]


def test_openapi_document(firebell: Firebell) -> None:
    paths = httpx.get(f"{firebell.url}/openapi.json").json()["paths"]
    assert {"/api/v1/incidents", "/api/v1/incidents/{number}", "/api/v1/incidents/{number}/timeline"} <= set(paths)
