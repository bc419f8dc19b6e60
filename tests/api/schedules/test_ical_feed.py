"""The calendar feed of a schedule at its secret URL, made and rotated with `firebell schedules rotate-ical` (a
real process), fetched over real HTTP and parsed back with the `icalendar` package."""

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import icalendar
import pytest

from firebell.services.oncall.feeds import digest
from firebell.store.models import IcalFeed
from tests.api.schedules.conftest import EXAMPLE, send, z
from tests.cli.serve import FIREBELL, base_env
from tests.harness import Firebell

EVENT_REQUIRED = ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY")


def rotate(firebell: Firebell, tmp_path: Path, name: str = "checkout-primary") -> subprocess.CompletedProcess[str]:
    """`firebell schedules rotate-ical NAME` on Firebell's database and policy, as an operator runs it."""
    policy = tmp_path / "firebell.yaml"
    policy.write_text(EXAMPLE)
    url = firebell.runtime.settings.database_url
    env = base_env(DATABASE_URL=url, FIREBELL_CONFIG=str(policy))
    return subprocess.run(
        [*FIREBELL, "schedules", "rotate-ical", name], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def feed_path(firebell: Firebell, tmp_path: Path) -> str:
    result = rotate(firebell, tmp_path)
    assert result.returncode == 0, result.stderr
    path = result.stdout.strip()
    assert path.startswith("/ical/") and path.endswith(".ics"), path
    return path


def get(firebell: Firebell, path: str, **kwargs: object) -> httpx.Response:
    return httpx.get(f"{firebell.url}{path}", timeout=10, **kwargs)  # type: ignore[arg-type]


def events(body: bytes) -> list[icalendar.cal.Component]:
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0" and calendar.get("PRODID")
    found = list(calendar.walk("VEVENT"))
    for event in found:
        missing = [p for p in EVENT_REQUIRED if p not in event]
        assert not missing, f"an event lacks {missing}"
        assert event.decoded("DTSTART").tzinfo is not None  # UTC times, not floating ones
    return found


def test_a_schedule_has_no_feed_until_one_is_made(firebell: Firebell) -> None:
    response = get(firebell, f"/ical/{'A' * 43}.ics")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_the_feed_lists_each_persons_shifts_in_utc_and_parses_as_icalendar(firebell: Firebell, tmp_path: Path) -> None:
    path = feed_path(firebell, tmp_path)
    response = get(firebell, path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["etag"] and "max-age" in response.headers["cache-control"]
    assert b"\r\n" in response.content and all(len(line) <= 75 for line in response.content.split(b"\r\n"))
    found = events(response.content)
    assert {str(e["SUMMARY"]) for e in found} == {"On call: checkout-primary"}
    # Week 0 begins at the handoff, Monday 5 January 09:00 Berlin: Alice until 20:00 on weekdays (from 08:00
    # on the days after), Dave the rest; week 1: Bob.
    alice = sorted(e.decoded("DTSTART") for e in found if str(e["X-FIREBELL-USER"]) == "U01ALICE")
    assert alice[0] == datetime(2026, 1, 5, 8, tzinfo=UTC)  # 09:00 Berlin
    assert alice[1] == datetime(2026, 1, 6, 7, tzinfo=UTC)  # 08:00 Berlin
    first = next(e for e in found if e.decoded("DTSTART") == alice[0] and str(e["X-FIREBELL-USER"]) == "U01ALICE")
    assert first.decoded("DTEND") == datetime(2026, 1, 5, 19, tzinfo=UTC)  # 20:00 Berlin
    bob = sorted(e.decoded("DTSTART") for e in found if str(e["X-FIREBELL-USER"]) == "U02BOB")
    assert bob[0] == datetime(2026, 1, 12, 8, tzinfo=UTC)  # the Monday 09:00 Berlin handoff
    # 90 days ahead of 1 January and no further.
    assert max(e.decoded("DTSTART") for e in found) < datetime(2026, 4, 1, tzinfo=UTC)
    assert len({str(e["UID"]) for e in found}) == len(found)


def test_uids_are_stable_and_an_unchanged_feed_answers_304(firebell: Firebell, tmp_path: Path) -> None:
    path = feed_path(firebell, tmp_path)
    first = get(firebell, path)
    again = get(firebell, path, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and not again.content
    assert firebell.clock is not None
    firebell.clock.advance(timedelta(days=3))  # a few days on: the window moves, shifts keep their UIDs
    later = get(firebell, path)
    assert later.status_code == 200
    before = {(str(e["UID"]), e.decoded("DTSTART")) for e in events(first.content)}
    after = {(str(e["UID"]), e.decoded("DTSTART")) for e in events(later.content)}
    assert before & after and {uid for uid, _ in before} & {uid for uid, _ in after}
    starts = dict(before)
    assert all(starts.get(uid, start) == start for uid, start in after)


def test_an_override_shows_in_the_feed(firebell: Firebell, tmp_path: Path) -> None:
    path = feed_path(firebell, tmp_path)
    start, end = datetime(2026, 1, 6, 10, tzinfo=UTC), datetime(2026, 1, 6, 14, tzinfo=UTC)
    made = send(
        firebell,
        "POST",
        "/api/v1/schedules/checkout-primary/overrides",
        json={"user": "U04ERIN", "start": z(start), "end": z(end)},
    )
    assert made.status_code == 201, made.text
    erin = [e for e in events(get(firebell, path).content) if str(e["X-FIREBELL-USER"]) == "U04ERIN"]
    assert [(e.decoded("DTSTART"), e.decoded("DTEND")) for e in erin] == [(start, end)]


def test_the_user_filter_keeps_one_persons_shifts(firebell: Firebell, tmp_path: Path) -> None:
    path = feed_path(firebell, tmp_path)
    mine = events(get(firebell, path, params={"user": "U03DAVE"}).content)
    assert mine and {str(e["X-FIREBELL-USER"]) for e in mine} == {"U03DAVE"}
    assert events(get(firebell, path, params={"user": "U09NOBODY"}).content) == []
    bad = get(firebell, path, params={"user": "<script>"})
    assert bad.status_code == 400
    assert "user" in bad.json()["detail"] and "U01ALICE" in bad.json()["detail"]


def test_rotating_closes_the_old_url_and_opens_a_new_one(firebell: Firebell, tmp_path: Path) -> None:
    old = feed_path(firebell, tmp_path)
    assert get(firebell, old).status_code == 200
    new = feed_path(firebell, tmp_path)
    assert new != old
    assert get(firebell, old).status_code == 404
    assert get(firebell, new).status_code == 200


def test_only_a_digest_of_the_secret_is_stored(firebell: Firebell, tmp_path: Path) -> None:
    path = feed_path(firebell, tmp_path)
    secret = path.removeprefix("/ical/").removesuffix(".ics")
    with firebell.runtime.ctx.db.read() as session:
        [row] = list(session.query(IcalFeed))
    assert row.secret_sha256 == digest(secret) and secret not in row.secret_sha256


@pytest.mark.parametrize("name", ["no-such-schedule", "Bad Name!"])
def test_rotating_an_unknown_schedule_names_the_ones_there_are(firebell: Firebell, tmp_path: Path, name: str) -> None:
    result = rotate(firebell, tmp_path, name)
    assert result.returncode != 0
    assert "checkout-primary" in result.stderr and result.stdout == ""


def test_the_schedules_group_shows_in_help() -> None:
    shown = subprocess.run(
        [*FIREBELL, "--help"], env=base_env(), capture_output=True, text=True, timeout=60, check=False
    )
    assert "schedules" in shown.stdout
    group = subprocess.run(
        [*FIREBELL, "schedules", "--help"], env=base_env(), capture_output=True, text=True, timeout=60, check=False
    )
    assert "rotate-ical" in group.stdout
