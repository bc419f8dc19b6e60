"""A 429 holds back only the method Slack refused, for as long as Slack said."""

from firebell.services.effects import EffectKind
from firebell.slack.outbox.ratelimits import FIRST_METHOD, MethodHolds


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
    assert holds.take(EffectKind.CREATE_CHANNEL) == 30
    assert holds.take(EffectKind.POST_REMINDER) == 0
    clock.now += 30
    assert holds.held_kinds() == frozenset()
    assert holds.take(EffectKind.CREATE_CHANNEL) == 0


def test_a_shorter_retry_after_never_shortens_a_hold() -> None:
    clock = Ticks()
    holds = MethodHolds(clock)
    holds.hold("chat.update", 20)
    holds.hold("chat.update", 1)
    assert holds.take(EffectKind.SYNC_KICKOFF) == 20
    assert holds.held_kinds() == {"sync_kickoff", "sync_announcement", "sync_runbook"}


def test_posting_is_limited_per_channel_so_it_is_held_for_that_channel_only() -> None:
    clock = Ticks()
    holds = MethodHolds(clock)
    holds.hold("chat.postMessage", 5, channel="C0ANNOUNCE")
    holds.hold("chat.postMessage", 5)  # no channel known: nothing to hold
    assert holds.held_kinds() == frozenset()  # claims go on: other channels are not limited
    assert holds.take(EffectKind.POST_REMINDER, channel="C0ROOM001") == 0
    assert holds.take(EffectKind.POST_REMINDER) == 0
    # Waiting posts to the refused channel get a slot each, a second apart, not one rush at the end.
    assert [holds.take(EffectKind.POST_ANNOUNCEMENT, channel="C0ANNOUNCE") for _ in range(3)] == [5, 6, 7]


def test_every_kind_names_the_slack_method_it_calls_first() -> None:
    assert set(FIRST_METHOD) == set(EffectKind) - {EffectKind.RESPOND}  # answers go to a response_url


def test_a_paced_channel_lets_one_post_a_second_through() -> None:
    clock = Ticks()
    holds = MethodHolds(clock)
    holds.hold("chat.postMessage", 1, channel="C0ANNOUNCE")
    clock.now += 1
    assert holds.take(EffectKind.POST_ANNOUNCEMENT, channel="C0ANNOUNCE") == 0
    assert holds.take(EffectKind.POST_ANNOUNCEMENT, channel="C0ANNOUNCE") == 1
    clock.now += 120  # long after the refusal: no pacing any more
    assert holds.take(EffectKind.POST_ANNOUNCEMENT, channel="C0ANNOUNCE") == 0
    assert holds.take(EffectKind.POST_ANNOUNCEMENT, channel="C0ANNOUNCE") == 0
