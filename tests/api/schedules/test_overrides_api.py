"""Overrides through POST/GET/DELETE /api/v1/schedules/{name}/overrides: they replace whoever is on call inside
their window, are refused with a reason when wrong (also when two are made at the same moment), and stay on
record after removal with who made and removed them."""

import threading
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import Engine, select

from firebell.store.models import OncallOverride
from tests.api.schedules.conftest import send
from tests.harness import Firebell

PATH = "/api/v1/schedules/checkout-primary/overrides"
# Tuesday 6 January 2026: Alice is on call 07:00Z-19:00Z (08:00-20:00 Berlin), Dave around it.


def add(firebell: Firebell, user: str, start: str, end: str, **extra: str) -> httpx.Response:
    return send(firebell, "POST", PATH, json={"user": user, "start": start, "end": end, **extra})


def shifts(firebell: Firebell, start: str, end: str) -> list[tuple[str, str, list[str], list[int]]]:
    response = firebell.api("/api/v1/schedules/checkout-primary/shifts", **{"from": start, "to": end})
    assert response.status_code == 200, response.text
    return [(s["start"], s["end"], s["users"], s["override_ids"]) for s in response.json()]


def test_an_override_replaces_the_rotation_inside_its_window_only(firebell: Firebell, clean_db: Engine) -> None:
    created = add(firebell, "U04ERIN", "2026-01-06T12:00:00+01:00", "2026-01-06T14:00:00+01:00", by="U01ALICE")
    assert created.status_code == 201, created.text
    override = created.json()
    assert override["user"] == "U04ERIN"
    assert (override["start"], override["end"]) == ("2026-01-06T11:00:00Z", "2026-01-06T13:00:00Z")
    assert (override["created_by"], override["created_at"]) == ("U01ALICE", "2026-01-01T00:00:00Z")
    assert override["removed_at"] is None

    assert shifts(firebell, "2026-01-06T06:00:00Z", "2026-01-06T20:00:00Z") == [
        ("2026-01-06T06:00:00Z", "2026-01-06T07:00:00Z", ["U03DAVE"], []),
        ("2026-01-06T07:00:00Z", "2026-01-06T11:00:00Z", ["U01ALICE"], []),
        ("2026-01-06T11:00:00Z", "2026-01-06T13:00:00Z", ["U04ERIN"], [override["id"]]),
        ("2026-01-06T13:00:00Z", "2026-01-06T19:00:00Z", ["U01ALICE"], []),
        ("2026-01-06T19:00:00Z", "2026-01-06T20:00:00Z", ["U03DAVE"], []),
    ]
    inside = firebell.api("/api/v1/schedules/checkout-primary/oncall", at="2026-01-06T12:00:00Z").json()
    assert (inside["users"], inside["until"]) == (["U04ERIN"], "2026-01-06T13:00:00Z")
    after = firebell.api("/api/v1/schedules/checkout-primary/oncall", at="2026-01-06T13:00:00Z").json()
    assert after["users"] == ["U01ALICE"]
    with clean_db.connect() as conn:
        stored = conn.execute(select(OncallOverride.created_by, OncallOverride.user_id)).all()
    assert stored == [("U01ALICE", "U04ERIN")]


def test_overlapping_overrides_of_different_people_put_both_on_call(firebell: Firebell) -> None:
    assert add(firebell, "U04ERIN", "2026-01-06T11:00:00Z", "2026-01-06T13:00:00Z").status_code == 201
    assert add(firebell, "U05FRANK", "2026-01-06T12:00:00Z", "2026-01-06T14:00:00Z").status_code == 201
    body = firebell.api("/api/v1/schedules/checkout-primary/oncall", at="2026-01-06T12:30:00Z").json()
    assert (body["users"], body["until"]) == (["U04ERIN", "U05FRANK"], "2026-01-06T13:00:00Z")


def test_an_overlapping_override_of_the_same_person_is_refused(firebell: Firebell) -> None:
    first = add(firebell, "U04ERIN", "2026-01-06T11:00:00Z", "2026-01-06T13:00:00Z").json()
    refused = add(firebell, "U04ERIN", "2026-01-06T12:59:00Z", "2026-01-06T15:00:00Z")
    assert refused.status_code == 400
    assert refused.json()["detail"] == (
        f"U04ERIN already has override {first['id']} on checkout-primary from 2026-01-06T11:00:00Z to "
        "2026-01-06T13:00:00Z, which overlaps: remove it first, or choose a window outside it."
    )
    # Touching is not overlapping; the same window on another schedule would be fine too.
    assert add(firebell, "U04ERIN", "2026-01-06T13:00:00Z", "2026-01-06T15:00:00Z").status_code == 201
    assert [o["start"] for o in firebell.api(PATH).json()] == ["2026-01-06T11:00:00Z", "2026-01-06T13:00:00Z"]


def test_two_overlapping_overrides_made_at_the_same_moment_one_wins(firebell: Firebell) -> None:
    """Two people add overlapping overrides for the same person at once, five times over: each time exactly
    one is stored and the other is refused naming it."""
    for day in range(10, 15):
        barrier = threading.Barrier(2)
        answers: list[httpx.Response] = []

        def make(
            start_hour: int,
            day: int = day,
            barrier: threading.Barrier = barrier,
            answers: list[httpx.Response] = answers,
        ) -> None:
            barrier.wait()
            start, end = f"2026-01-{day}T{start_hour:02d}:00:00Z", f"2026-01-{day}T{start_hour + 3:02d}:00:00Z"
            answers.append(add(firebell, "U04ERIN", start, end))

        threads = [threading.Thread(target=make, args=(hour,)) for hour in (10, 11)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(a.status_code for a in answers) == [201, 400]
        [winner] = [a.json() for a in answers if a.status_code == 201]
        [loser] = [a.json() for a in answers if a.status_code == 400]
        assert f"already has override {winner['id']}" in loser["detail"]
    stored = firebell.api(PATH, state="all").json()
    assert len(stored) == 5
    assert all(o["user"] == "U04ERIN" for o in stored)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"user": "U04ERIN", "start": "2026-01-06T13:00:00Z", "end": "2026-01-06T11:00:00Z"}, "'end' must be after"),
        ({"user": "U04ERIN", "start": "2025-12-30T13:00:00Z", "end": "2025-12-31T11:00:00Z"}, "lies in the past"),
        ({"user": "U04ERIN", "start": "2026-01-06T11:00:00Z", "end": "2027-01-08T11:00:00Z"}, "at most 366 days"),
        (
            {"user": "nobody", "start": "2026-01-06T11:00:00Z", "end": "2026-01-06T13:00:00Z"},
            "'user': expected a Slack user id",
        ),
        ({"user": "U04ERIN", "start": "6 Jan", "end": "2026-01-06T13:00:00Z"}, "RFC 3339"),
        ({"user": "U04ERIN", "start": "2026-01-06T11:00:00Z"}, "'end'"),
        (
            {"user": "U04ERIN", "start": "2026-01-06T11:00:00Z", "end": "2026-01-06T13:00:00Z", "by": "<!channel>"},
            "'by': expected a Slack user id",
        ),
    ],
)
def test_a_wrong_override_is_400_naming_what_is_wrong(firebell: Firebell, body: dict[str, str], words: str) -> None:
    response = send(firebell, "POST", PATH, json=body)
    assert response.status_code == 400
    assert words in response.json()["detail"]
    assert firebell.api(PATH, state="all").json() == []


def test_an_override_on_an_unknown_schedule_is_404(firebell: Firebell) -> None:
    body = {"user": "U04ERIN", "start": "2026-01-06T11:00:00Z", "end": "2026-01-06T13:00:00Z"}
    response = send(firebell, "POST", "/api/v1/schedules/nope/overrides", json=body)
    assert response.status_code == 404
    assert "No schedule 'nope'" in response.json()["detail"]


def test_removal_is_recorded_and_the_rotation_resumes(firebell: Firebell) -> None:
    made = add(firebell, "U04ERIN", "2026-01-06T11:00:00Z", "2026-01-06T13:00:00Z", by="U01ALICE").json()
    assert firebell.clock is not None
    firebell.clock.now = datetime(2026, 1, 2, 9, tzinfo=UTC)
    removed = send(firebell, "DELETE", f"{PATH}/{made['id']}", params={"by": "U02BOB"})
    assert removed.status_code == 200, removed.text
    assert (removed.json()["removed_by"], removed.json()["removed_at"]) == ("U02BOB", "2026-01-02T09:00:00Z")
    assert firebell.api(PATH).json() == []
    [kept] = firebell.api(PATH, state="all").json()
    assert (kept["id"], kept["created_by"], kept["removed_by"]) == (made["id"], "U01ALICE", "U02BOB")
    body = firebell.api("/api/v1/schedules/checkout-primary/oncall", at="2026-01-06T12:00:00Z").json()
    assert body["users"] == ["U01ALICE"]
    # Removing again changes nothing; a removed override no longer blocks a new one for the same window.
    again = send(firebell, "DELETE", f"{PATH}/{made['id']}", params={"by": "U03DAVE"})
    assert again.json()["removed_by"] == "U02BOB"
    assert add(firebell, "U04ERIN", "2026-01-06T11:00:00Z", "2026-01-06T13:00:00Z").status_code == 201
    assert send(firebell, "DELETE", f"{PATH}/999").status_code == 404


def test_past_overrides_leave_the_active_list(firebell: Firebell) -> None:
    add(firebell, "U04ERIN", "2026-01-06T11:00:00Z", "2026-01-06T13:00:00Z")
    assert firebell.clock is not None
    firebell.clock.now = datetime(2026, 1, 6, 13, tzinfo=UTC)
    assert firebell.api(PATH).json() == []
    assert len(firebell.api(PATH, state="all").json()) == 1
