"""Maintenance windows through GET|POST /api/v1/services/{name}/maintenance: recorded with who made them,
refused with a reason when wrong, and what the paging engine then reads."""

from datetime import UTC, datetime, timedelta

from firebell.services.oncall.maintenance import maintenance_until
from tests.api.schedules.conftest import send
from tests.harness import Firebell

PATH = "/api/v1/services/checkout/maintenance"


def test_a_window_is_made_listed_and_holds_paging_inside_it_only(firebell: Firebell) -> None:
    created = send(firebell, "POST", PATH, json={"end": "2026-01-01T02:00:00Z", "by": "U01ALICE"})
    assert created.status_code == 201, created.text
    window = created.json()
    assert (window["service"], window["start"], window["end"]) == (
        "checkout",
        "2026-01-01T00:00:00Z",
        "2026-01-01T02:00:00Z",
    )
    assert (window["created_by"], window["ended_at"]) == ("U01ALICE", None)
    planned = send(firebell, "POST", PATH, json={"start": "2026-01-03T10:00:00+01:00", "end": "2026-01-03T11:00:00Z"})
    assert planned.status_code == 201, planned.text
    assert planned.json()["created_by"] == "api"

    listed = firebell.api(PATH).json()
    assert [w["id"] for w in listed] == [window["id"], planned.json()["id"]]
    with firebell.runtime.ctx.db.transaction() as session:
        start = datetime(2026, 1, 1, tzinfo=UTC)
        assert maintenance_until(session, "checkout", start + timedelta(hours=1)) == start + timedelta(hours=2)
        assert maintenance_until(session, "checkout", start + timedelta(hours=2)) is None
        assert maintenance_until(session, "checkout", datetime(2026, 1, 3, 9, 30, tzinfo=UTC)) == datetime(
            2026, 1, 3, 11, tzinfo=UTC
        )


def test_bad_windows_are_refused_and_nothing_is_recorded(firebell: Firebell) -> None:
    cases = [
        ("/api/v1/services/payments/maintenance", {"end": "2026-01-01T02:00:00Z"}, 404, "No service 'payments'"),
        (PATH, {"end": "2025-12-31T02:00:00Z"}, 400, "lies in the past"),
        (PATH, {"start": "2026-01-02T00:00:00Z", "end": "2026-01-01T02:00:00Z"}, 400, "before it starts"),
        (PATH, {"end": "2026-03-01T00:00:00Z"}, 400, "at most 30 days"),
        (PATH, {"end": "tomorrow"}, 400, "Invalid body field 'end': expected an RFC 3339 time"),
    ]
    for path, body, status, text in cases:
        response = send(firebell, "POST", path, json=body)
        assert response.status_code == status, (body, response.text)
        assert text in response.text
    assert firebell.api(PATH, state="all").json() == []


def test_other_methods_are_405_naming_the_two_taken(firebell: Firebell) -> None:
    for method in ("PUT", "DELETE", "OPTIONS"):
        response = send(firebell, method, PATH)
        assert response.status_code == 405 and response.headers["Allow"] == "GET, POST"
