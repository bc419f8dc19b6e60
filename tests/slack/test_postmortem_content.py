"""What the postmortem draft says, through the HTTP edge on a hand-moved clock: the peak severity and its
history, everyone who took part with their roles, the war-room link, times from the impact start, and a
drafted summary marked for editing."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from firebell.emulator.models import File
from tests.clock import Clock
from tests.harness import Firebell, running_firebell
from tests.slack.test_postmortem import summaries
from tests.slack.test_war_room import command

MINUTE = timedelta(minutes=1)


@pytest.fixture
def clock() -> Clock:
    """Firebell's hand-moved clock, starting at the real time (Slack's side keeps the real clock)."""
    return Clock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def firebell(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, *, policy: Policy, clock: Clock
) -> Iterator[Firebell]:
    """Firebell on the hand-moved clock."""
    with running_firebell(emu, slack, database_url, policy, clock=clock) as running:
        yield running


def nth_draft(firebell: Firebell, n: int) -> str:
    """The Markdown of the n-th postmortem file uploaded (1-based), once it is there."""
    file: File = firebell.wait_for(
        lambda: firebell.emu.files[n - 1] if len(firebell.emu.files) >= n else None, what=f"draft {n}"
    )
    return (file.content or b"").decode()


def section(markdown: str, title: str) -> str:
    return markdown.split(f"## {title}\n")[1].split("\n## ", maxsplit=1)[0]


def test_the_draft_says_what_an_sre_needs(firebell: Firebell, clock: Clock) -> None:
    emu, driver = firebell.emu, firebell.driver
    ids = {name: emu.user_id(name) for name in ("alice", "bob", "carol", "dave", "erin")}
    driver.slash_command("/incident", "declare sev3 Checkout failing for EU cards", user="alice", channel="general")
    room = firebell.war_room(1).id
    declared = firebell.incident(1).declared_at
    firebell.advance(5 * MINUTE)
    command(firebell, "sev 1", room, user="bob")
    command(firebell, f"ic <@{ids['bob']}|bob>", room)
    command(firebell, f"role comms <@{ids['erin']}|erin>", room, user="bob")
    command(firebell, "note EU card BINs all fail at the acquirer", room, user="carol")
    command(firebell, "update Customers told on the status page", room, user="erin")
    message = driver.post_as_user("dave", room, "Adyen confirms a partial outage")
    driver.react("carol", room, message.ts)
    firebell.wait_for(lambda: any(kind == "pin" for kind, _, _ in firebell.timeline(1)), what="the pin")
    command(firebell, f"action Alert on acquirer errors <@{ids['dave']}|dave>", room, user="bob")
    firebell.advance(25 * MINUTE)
    command(firebell, "mitigate traffic moved to the backup acquirer", room, user="bob")
    firebell.advance(10 * MINUTE)
    command(firebell, "sev 2", room, user="bob")
    firebell.advance(20 * MINUTE)
    command(firebell, "resolve Adyen fixed their side; primary acquirer back", room, user="bob")
    first = nth_draft(firebell, 1)

    impact = section(first, "Customer impact")
    assert "**Peak severity SEV1**" in impact  # the incident ended at SEV2
    assert [line.split(": ")[1] for line in impact.splitlines() if line.startswith("- ")] == [
        "SEV3 (set by alice)",
        "SEV1 (set by bob)",
        "SEV2 (set by bob)",
    ]
    responders = section(first, "Responders")
    for line in (
        "- alice (declarer, Incident Commander)",
        "- bob (Incident Commander): changed the status 2 times; changed the severity 2 times",
        "- erin (comms): posted 1 status update",
        "- carol: added 1 note; pinned 1 message",
        "- dave: wrote 1 pinned message; owns action item #1",
    ):
        assert line in responders, responders
    assert f"War room: [#{firebell.incident(1).channel_name}](https://firebell.slack.com/archives/{room})" in first
    times = section(first, "Key times")
    assert "| Time to mitigate | 30m |" in times
    assert "| Time to resolve | 1h |" in times
    assert "| Measured from | declare (impact start not recorded) |" in times
    assert "| Customer impact duration | at least 30m (declare to mitigation; impact start not recorded) |" in times
    summary = section(first, "Summary")
    assert summary.startswith("\n**Draft summary, written by Firebell from the record: edit it before the review.**")
    assert "Severity went SEV3 → SEV1 → SEV2, peaking at SEV1" in summary
    assert "until it was mitigated at" in summary and "by bob: traffic moved to the backup acquirer." in summary
    assert "by bob: Adyen fixed their side; primary acquirer back." in summary
    assert "5 people took part." in summary

    # Someone records when the impact really started: the times count from it, and say so.
    firebell.settle()
    [summary_message] = summaries(firebell, room)
    driver.click("alice", room, summary_message.ts, "review.edit", value="1")
    form = firebell.wait_for(lambda: next((v for v in emu.views.values() if v.callback_id == "review.sections"), None))
    started = declared - 15 * MINUTE
    driver.submit_view("alice", form.id, {"impact_started_at": int(started.timestamp())})
    firebell.wait_for(lambda: firebell.timeline(1)[-1][2] == "Postmortem sections edited", what="the edit")
    # One impact start: the form writes the incident's, which the API and `/incident times` show.
    assert firebell.incident(1).impact_started_at == started
    assert ("times_changed", ids["alice"], f"Impact start set to {started:%Y-%m-%d %H:%M} UTC (was not set)") in (
        firebell.timeline(1)
    )
    command(firebell, "postmortem", room)
    second = nth_draft(firebell, 2)
    times = section(second, "Key times")
    assert "| Time to detect | 15m |" in times
    assert "| Time to mitigate | 45m |" in times
    assert "| Time to resolve | 1h 15m |" in times
    assert "| Measured from | impact start |" in times
    assert "| Customer impact duration | 45m (impact start to mitigation) |" in times
    assert "12m after the impact started" not in second and "15m after the impact started" in second
