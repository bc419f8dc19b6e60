"""The public update templates and the public cadence's arithmetic, without I/O."""

from datetime import UTC, datetime, timedelta

import pytest

from firebell.domain.status_page.public_cadence import missed_public_update
from firebell.domain.status_page.templates import (
    component_list,
    customer_duration,
    incident_page_url,
    template_text,
)
from firebell.domain.status_page.vocabulary import PublicStatus

T0 = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)


def test_investigating_names_the_components_and_the_next_update() -> None:
    text = template_text(PublicStatus.INVESTIGATING, ["Checkout API"], timedelta(minutes=30))
    assert (
        text == "We are investigating reports of problems with Checkout API. We will post an update within 30 minutes."
    )


@pytest.mark.parametrize("status", list(PublicStatus))
def test_every_status_has_plain_customer_wording(status: PublicStatus) -> None:
    text = template_text(status, ["Checkout API", "Website"], timedelta(hours=1))
    assert "Checkout API and Website" in text
    for jargon in ("INC-", "SEV", "IC", "deploy", "rollback", "@"):
        assert jargon not in text


@pytest.mark.parametrize(
    ("names", "expected"),
    [([], "our services"), (["A"], "A"), (["A", "B"], "A and B"), (["A", "B", "C"], "A, B and C")],
)
def test_component_list(names: list[str], expected: str) -> None:
    assert component_list(names) == expected


@pytest.mark.parametrize(
    ("interval", "expected"),
    [
        (timedelta(minutes=30), "30 minutes"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(minutes=90), "1 hour 30 minutes"),
        (timedelta(seconds=5), "1 minute"),
    ],
)
def test_customer_duration(interval: timedelta, expected: str) -> None:
    assert customer_duration(interval) == expected


def test_no_public_cadence_still_promises_an_update() -> None:
    assert "within 1 hour" in template_text(PublicStatus.IDENTIFIED, [], None)


def test_incident_page_url() -> None:
    assert incident_page_url("https://status.acme.example/", "abc") == (
        "https://status.acme.example/status/incidents/abc"
    )


def test_a_missed_due_point_moves_one_interval_on() -> None:
    missed = missed_public_update(
        due=T0, interval=timedelta(minutes=30), previous_misses=1, last_published_at=T0 - timedelta(hours=1), now=T0
    )
    assert (missed.miss, missed.silence, missed.next_due) == (2, timedelta(hours=1), T0 + timedelta(minutes=30))


def test_after_a_long_outage_the_next_due_point_is_an_interval_from_now() -> None:
    now = T0 + timedelta(hours=3)
    missed = missed_public_update(
        due=T0, interval=timedelta(minutes=30), previous_misses=0, last_published_at=T0, now=now
    )
    assert missed.next_due == now + timedelta(minutes=30) and missed.miss == 1


def test_without_a_public_interval_nothing_more_is_due() -> None:
    missed = missed_public_update(due=T0, interval=None, previous_misses=0, last_published_at=T0, now=T0)
    assert missed.next_due is None
