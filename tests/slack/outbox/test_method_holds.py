"""A 429 holds back only the method Slack refused, for as long as Slack said."""

from datetime import UTC, datetime

from slack_sdk import WebClient

from firebell.domain.incident import IncidentSnapshot
from firebell.domain.lifecycle import Status
from firebell.services.effects import EffectKind
from firebell.services.outbox.outcomes import Job
from firebell.slack.outbox.directory import SlackDirectory
from firebell.slack.outbox.ratelimits import FIRST_METHOD, MethodHolds, first_call, first_method


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_held_method_holds_back_only_the_kinds_that_call_it() -> None:
    clock = Ticks()
    holds = MethodHolds(clock)
    holds.hold("conversations.create", 30)
    assert holds.held_kinds() == {EffectKind.CREATE_CHANNEL.value}
    assert holds.take("conversations.create") == 30
    assert holds.take("chat.postMessage") == 0
    clock.now += 30
    assert holds.held_kinds() == frozenset()
    assert holds.take("conversations.create") == 0


def test_a_shorter_retry_after_never_shortens_a_hold() -> None:
    clock = Ticks()
    holds = MethodHolds(clock)
    holds.hold("chat.update", 20)
    holds.hold("chat.update", 1)
    assert holds.take("chat.update") == 20
    assert holds.held_kinds() == {"sync_kickoff", "sync_announcement", "sync_runbook", "sync_triage", "settle_page_dm"}


def test_posting_is_limited_per_channel_so_it_is_held_for_that_channel_only() -> None:
    clock = Ticks()
    holds = MethodHolds(clock)
    holds.hold("chat.postMessage", 5, channel="C0ANNOUNCE")
    holds.hold("chat.postMessage", 5)  # no channel known: nothing to hold
    assert holds.held_kinds() == frozenset()  # claims go on: other channels are not limited
    assert holds.take("chat.postMessage", channel="C0ROOM001") == 0
    assert holds.take("chat.postMessage") == 0
    # Waiting posts to the refused channel get a slot each, a second apart, not one rush at the end.
    assert [holds.take("chat.postMessage", channel="C0ANNOUNCE") for _ in range(3)] == [5, 6, 7]


def test_every_kind_names_the_slack_method_it_calls_first() -> None:
    # Answers go to a response_url; outside notifiers and the Statuspage bridge are HTTP elsewhere: none is held
    # by Slack's limits.
    assert set(FIRST_METHOD) == set(EffectKind) - {EffectKind.RESPOND, EffectKind.NOTIFY, EffectKind.STATUSPAGE}


def test_a_paced_channel_lets_one_post_a_second_through() -> None:
    clock = Ticks()
    holds = MethodHolds(clock)
    holds.hold("chat.postMessage", 1, channel="C0ANNOUNCE")
    clock.now += 1
    assert holds.take("chat.postMessage", channel="C0ANNOUNCE") == 0
    assert holds.take("chat.postMessage", channel="C0ANNOUNCE") == 1
    clock.now += 120  # long after the refusal: no pacing any more
    assert holds.take("chat.postMessage", channel="C0ANNOUNCE") == 0
    assert holds.take("chat.postMessage", channel="C0ANNOUNCE") == 0


def test_a_reminder_to_the_commander_starts_by_opening_the_dm() -> None:
    def job(kind: EffectKind, **payload: object) -> Job:
        now = datetime(2026, 12, 7, tzinfo=UTC)
        return Job(
            id=1,
            kind=kind,
            lane="l",
            incident_id=1,
            payload=payload,
            idem_key="k",
            attempts=1,
            uncertain=False,
            created_at=now,
        )

    assert first_method(job(EffectKind.POST_REMINDER, target="room")) == "chat.postMessage"
    assert first_method(job(EffectKind.POST_REMINDER, target="dm")) == "conversations.open"
    assert first_method(job(EffectKind.DM, user="U1")) == "conversations.open"
    assert first_method(job(EffectKind.RESPOND)) == ""
    holds = MethodHolds(Ticks())
    holds.hold("conversations.open", 30)
    assert holds.held_kinds() == frozenset()  # a held DM defers only the reminders that open one
    assert holds.take(first_method(job(EffectKind.POST_REMINDER, target="dm"))) == 30


def test_the_first_call_names_the_channel_a_post_is_held_in() -> None:
    when = datetime(2026, 12, 7, tzinfo=UTC)
    incident = IncidentSnapshot(
        id=1,
        number=1,
        title="t",
        severity="SEV1",
        status=Status.INVESTIGATING,
        declared_by="U0ALICE00",
        declared_at=when,
        roles={"commander": "U0ALICE00"},
        channel_id="C0ROOM001",
        announcement_channel_id="C0ANNOUNCE",
    )

    def job(kind: EffectKind, **payload: object) -> Job:
        return Job(
            id=1,
            kind=kind,
            lane="l",
            incident_id=1,
            payload=payload,
            idem_key="k",
            attempts=1,
            uncertain=False,
            created_at=when,
            incident=incident,
        )

    directory = SlackDirectory(WebClient(token="xoxb-unused"))  # only its caches are read
    assert first_call(job(EffectKind.POST_REMINDER, target="room"), directory, None) == (
        "chat.postMessage",
        "C0ROOM001",
    )
    assert first_call(job(EffectKind.POST_NOTICE, target="announcement_thread"), directory, None) == (
        "chat.postMessage",
        "C0ANNOUNCE",
    )
    assert first_call(job(EffectKind.POST_ANNOUNCEMENT), directory, "C0INCIDENTS") == (
        "chat.postMessage",
        "C0INCIDENTS",
    )
    assert first_call(job(EffectKind.POST_REMINDER, target="dm"), directory, None) == ("conversations.open", None)
    assert first_call(job(EffectKind.CREATE_CHANNEL), directory, None) == ("conversations.create", "C0ROOM001")
