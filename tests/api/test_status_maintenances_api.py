"""Status-page maintenance through GET|POST /api/v1/status/maintenances and DELETE …/{id}: recorded with who made
it, its status following the clock, refused with a reason when wrong (nothing recorded), 405 with Allow otherwise."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from firebell.services.status_page.revision import current_revision
from tests.clock import Clock
from tests.harness import API_TOKEN, Firebell, running_firebell

PATH = "/api/v1/status/maintenances"
START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
POLICY = Policy.model_validate({"status_page": {"components": [{"name": "Checkout API"}, {"name": "Search"}]}})
WINDOW = {"start": "2026-12-08T02:00:00Z", "end": "2026-12-08T04:00:00+00:00"}


@pytest.fixture
def firebell(emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine) -> Iterator[Firebell]:
    with running_firebell(emu, slack, database_url, POLICY, clock=Clock(START)) as running:
        yield running


def send(firebell: Firebell, method: str, path: str = PATH, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    return httpx.request(method, f"{firebell.url}{path}", headers=headers, timeout=10, **kwargs)


def body(**changes: Any) -> dict[str, Any]:
    return (
        {"title": "Database upgrade", "body": "Payments may pause.", "components": ["Checkout API"]} | WINDOW | changes
    )


def test_schedule_list_and_cancel(firebell: Firebell) -> None:
    made = send(firebell, "POST", json=body(components=["checkout-api", "Search"], by="U01ALICE"))
    assert made.status_code == 201, made.text
    window = made.json()
    assert (window["components"], window["status"], window["created_by"]) == (
        ["checkout-api", "search"],
        "scheduled",
        "U01ALICE",
    )
    assert (window["start"], window["end"]) == ("2026-12-08T02:00:00Z", "2026-12-08T04:00:00Z")
    assert [w["id"] for w in firebell.api(PATH).json()] == [window["id"]]

    assert firebell.clock is not None
    firebell.clock.advance(timedelta(hours=17, minutes=30))  # 02:30: in progress
    assert firebell.api(PATH).json()[0]["status"] == "in_progress"
    cancelled = send(firebell, "DELETE", f"{PATH}/{window['id']}")
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["cancelled_by"]) == ("completed", "api")
    assert firebell.api(PATH).json() == []
    assert [w["cancelled_at"] for w in firebell.api(PATH, state="all").json()] == ["2026-12-08T02:30:00Z"]
    again = send(firebell, "DELETE", f"{PATH}/{window['id']}")
    assert again.status_code == 400 and "over already" in again.text
    with firebell.runtime.ctx.db.read() as session:
        assert current_revision(session) == 2


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"components": ["Payments"]}, "Unknown component 'Payments'. Components: checkout-api, search."),
        ({"end": "2026-12-08T01:00:00Z"}, "before it starts"),
        ({"start": "2026-12-01T00:00:00Z", "end": "2026-12-02T00:00:00Z"}, "lies in the past"),
        ({"end": "2026-12-20T00:00:00Z"}, "at most 7 days"),
        ({"title": "   "}, "needs a title"),
        ({"body": "x\u0000y"}, "NUL character"),
        ({"end": "tomorrow"}, "Invalid body field 'end': expected an RFC 3339 time"),
        ({"components": []}, "Invalid body field 'components'"),
    ],
)
def test_bad_maintenance_is_refused_and_nothing_is_recorded(
    firebell: Firebell, changes: dict[str, Any], text: str
) -> None:
    response = send(firebell, "POST", json=body(**changes))
    assert response.status_code == 400, response.text
    assert text in response.json()["detail"]
    assert firebell.api(PATH, state="all").json() == []


def test_unknown_ids_are_404_and_other_methods_405_with_allow(firebell: Firebell) -> None:
    missing = send(firebell, "DELETE", f"{PATH}/zzzz9999")
    assert missing.status_code == 404 and "No maintenance 'zzzz9999'" in missing.text
    for method in ("PUT", "PATCH", "DELETE"):
        response = send(firebell, method)
        assert response.status_code == 405 and response.headers["Allow"] == "GET, POST"
    for method in ("GET", "POST", "PUT"):
        response = send(firebell, method, f"{PATH}/zzzz9999")
        assert response.status_code == 405 and response.headers["Allow"] == "DELETE"
    assert firebell.api(PATH, token="wrong").status_code == 401
