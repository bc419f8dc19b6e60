"""Slack faults lose nothing and post nothing twice: rate limits, 5xx, dropped connections, outages, restarts."""

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from firebell.services.outbox.outcomes import Delivered, Job
from firebell.store.models import Effect
from tests.harness import Firebell, running_firebell


def posted_keys(firebell: Firebell) -> Counter[str]:
    """How many messages carry each outbox key (a duplicate post shows up as a count of 2)."""
    keys: Counter[str] = Counter()
    for channel in list(firebell.emu.channels):
        for message in firebell.emu.messages(channel):
            key = ((message.metadata or {}).get("event_payload") or {}).get("key")
            if key:
                keys[key] += 1
    return keys


def assert_no_duplicates(firebell: Firebell) -> None:
    duplicated = {key: n for key, n in posted_keys(firebell).items() if n > 1}
    assert duplicated == {}


def test_rate_limit_honours_retry_after(firebell: Firebell) -> None:
    emu = firebell.emu
    retry_after = 1
    emu.faults.add("chat.postMessage", kind="ratelimited", times=3, retry_after=retry_after)
    firebell.driver.slash_command("/incident", "declare sev1 Checkout", user="alice", channel="general")
    firebell.war_room(1, timeout=20)
    firebell.settle(timeout=20)
    posts = emu.calls_to("chat.postMessage")
    limited = [c for c in posts if c.status == 429]
    assert len(limited) == 3
    for refused in limited:  # by the emulator's record, the next post to that channel waited out Retry-After
        later = [c.at for c in posts if c.at > refused.at and c.args["channel"] == refused.args["channel"]]
        assert later
        assert min(later) >= refused.at + retry_after
    assert_no_duplicates(firebell)


def test_server_errors_back_off_and_retry(firebell: Firebell) -> None:
    emu = firebell.emu
    emu.faults.add("conversations.create", kind="server_error", times=3)
    firebell.driver.slash_command("/incident", "declare sev1 Checkout", user="alice", channel="general")
    room = firebell.war_room(1, timeout=20)
    creates = emu.calls_to("conversations.create")
    assert all(c.status >= 500 for c in creates[:3])
    gaps = [b.at - a.at for a, b in itertools.pairwise(creates)]
    assert min(gaps) >= 0.3  # backing off (the tests cap backoff at 0.4 s; growth is unit-tested)
    assert room.name == "inc-1-checkout"
    assert len([c for c in emu.channels.values() if c.name.startswith("inc-1")]) == 1


def test_connection_dropped_after_slack_acted_posts_once(firebell: Firebell) -> None:
    """The worst case: Slack posted the kick-off but the answer was lost. The retry must find it."""
    emu = firebell.emu
    emu.faults.add("chat.postMessage", kind="disconnect_after", times=1)
    emu.faults.add("conversations.create", kind="disconnect_after", times=1)
    firebell.driver.slash_command("/incident", "declare sev1 Checkout", user="alice", channel="general")
    room = firebell.war_room(1, timeout=20)
    firebell.settle(timeout=20)
    assert len([c for c in emu.channels.values() if c.name.startswith("inc-1")]) == 1
    assert room.name == "inc-1-checkout"
    assert_no_duplicates(firebell)
    kickoffs = [m for m in firebell.bot_messages(room.id) if "What happens next" in str(m.blocks)]
    assert len(kickoffs) == 1
    assert firebell.incident(1).kickoff_ts == kickoffs[0].ts


def test_connection_dropped_before_slack_acted_retries(firebell: Firebell) -> None:
    emu = firebell.emu
    emu.faults.add("conversations.setTopic", kind="disconnect", times=2)
    firebell.driver.slash_command("/incident", "declare sev1 Checkout", user="alice", channel="general")
    room = firebell.war_room(1, timeout=20)
    firebell.settle(timeout=20)
    assert room.topic.value.startswith("SEV1 | Investigating")


def test_outage_during_declare_records_and_recovers(firebell: Firebell) -> None:
    emu = firebell.emu
    emu.outage = True
    result = firebell.driver.slash_command(
        "/incident", "declare sev1 Checkout failing", user="alice", channel="general"
    )
    assert result.acked_in_time
    assert firebell.incident(1).title == "Checkout failing"
    assert firebell.timeline(1)[0][0] == "declared"
    # Slack refuses the war room again and again (retried with backoff), and nothing is half-done meanwhile.
    firebell.wait_for(lambda: len(emu.calls_to("conversations.create")) >= 3, what="retries during the outage")
    assert all(c.status == 503 for c in emu.calls_to("conversations.create"))
    assert firebell.incident(1).channel_id is None
    assert firebell.pending_effects()
    assert not [p for p in emu.responses if p.status == 200]  # Slack could not be told yet
    emu.outage = False
    # Told once Slack is back (the answer's retry may land after the gateway's "war room is ready").
    url_id = str(result.response_url).rsplit("/", 1)[1]
    emu.wait_for(
        lambda e: any("Declared *INC-1*" in p.body.get("text", "") for p in e.responses if p.url_id == url_id),
        timeout=20,
    )
    room = firebell.war_room(1, timeout=30)
    firebell.settle(timeout=30)
    assert room.name == "inc-1-checkout-failing"
    assert firebell.bot_messages(room.id)[0].pinned
    assert_no_duplicates(firebell)


@pytest.mark.slow  # stopping during the outage waits on the answer's retries
def test_pending_effects_survive_a_restart(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine
) -> None:
    policy = Policy()
    with running_firebell(emu, slack, database_url, policy) as first:
        emu.outage = True
        first.driver.slash_command("/incident", "declare sev1 Checkout failing", user="alice", channel="general")
        first.wait_for(lambda: len(emu.calls_to("conversations.create")) >= 1, what="a first attempt")
    # The process is gone with its war room undelivered; Slack comes back; a new process starts.
    assert emu.channel_by_name("inc-1-checkout-failing") is None
    emu.outage = False
    with running_firebell(emu, slack, database_url, policy) as second:
        room = second.war_room(1, timeout=30)
        second.settle(timeout=30)
        assert room.name == "inc-1-checkout-failing"
        assert_no_duplicates(second)
        assert len([m for m in second.bot_messages(room.id) if "What happens next" in str(m.blocks)]) == 1


@pytest.mark.parametrize("chatter", [0, 450], ids=["quiet-room", "busy-room"])
def test_crash_mid_delivery_does_not_post_twice(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, chatter: int
) -> None:
    """A process that dies after Slack posted but before recording it leaves a claimed effect behind.
    The next process treats it as uncertain and finds the earlier post instead of posting again."""
    policy = Policy()
    with running_firebell(emu, slack, database_url, policy) as first:
        first.driver.slash_command("/incident", "declare sev1 Checkout", user="alice", channel="general")
        room = first.war_room(1).id
        first.settle()
        first.runtime.gateway.stop()
        first.driver.slash_command("/incident", "update investigating the DB", user="alice", channel=room)
        [effect] = [e for e in first.pending_effects() if e.lane.endswith(":room")]
        # What the crashed process did: claim the effect, deliver it to Slack, and die before recording.
        with first.runtime.ctx.db.transaction() as session:
            row = session.get(Effect, effect.id)
            assert row is not None
            row.claimed_by, row.attempts = "crashed-process", 1
            row.claimed_until = datetime.now(UTC) - timedelta(seconds=1)
        job = Job(
            id=effect.id,
            kind=effect.kind,
            lane=effect.lane,
            incident_id=effect.incident_id,
            payload=effect.payload,
            idem_key=effect.idem_key,
            attempts=1,
            uncertain=False,
            created_at=effect.created_at,
            incident=first.incident(1),
        )
        assert isinstance(first.runtime.gateway.deliverer.deliver(job), Delivered)
        for i in range(chatter):  # the room keeps talking: the earlier post is pages back in history
            first.driver.post_as_user("carol", room, f"graph {i}")
    with running_firebell(emu, slack, database_url, policy) as second:
        second.settle(timeout=20)
        updates = [m for m in second.bot_messages(room) if "investigating the DB" in str(m.blocks)]
        assert len(updates) == 1
        assert_no_duplicates(second)
        assert emu.calls_to("conversations.history")  # it looked before posting again


@pytest.mark.slow  # every Slack call takes a real second
def test_slow_slack_does_not_let_a_lease_lapse(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine
) -> None:
    """Each Slack call takes longer than the claim's lease: renewals keep the claim, nothing is redone."""
    with running_firebell(emu, slack, database_url, Policy(), gateway={"lease": timedelta(seconds=0.6)}) as firebell:
        emu.latency = 1.0
        firebell.driver.slash_command("/incident", "declare sev1 Checkout", user="alice", channel="general")
        room = firebell.war_room(1, timeout=30)
        firebell.settle(timeout=30)
        assert len([c for c in emu.channels.values() if c.name.startswith("inc-1")]) == 1
        assert len(emu.calls_to("conversations.create")) == 1
        assert len([m for m in firebell.bot_messages(room.id) if "What happens next" in str(m.blocks)]) == 1
        assert_no_duplicates(firebell)


def test_war_room_refused_for_good_tells_the_declarer_and_strands_nothing(firebell: Firebell) -> None:
    emu = firebell.emu
    emu.faults.add("conversations.create", kind="error", error="cannot_create_channel", times=1)
    firebell.driver.slash_command("/incident", "declare sev1 Checkout failing", user="alice", channel="general")
    told = firebell.wait_for(
        lambda: [r for r in emu.responses if "refused to create its war room" in str(r.body)], what="the declarer told"
    )
    assert "cannot_create_channel" in str(told[0].body)
    assert "firebell outbox retry --incident 1" in str(told[0].body)
    room = firebell.incident(1).channel_id
    assert room is None
    # Later commands for the incident queue more effects; none may wait forever for the missing room.
    firebell.wait_for(lambda: not firebell.pending_effects(), what="nothing left pending")
    assert "slack_failure" in [kind for kind, _, _ in firebell.timeline(1)]
    from firebell.services.outbox.admin import requeue_failed

    assert requeue_failed(firebell.runtime.ctx, incident_number=1) > 1
    firebell.war_room(1)
    firebell.settle()
    assert firebell.bot_messages(firebell.incident(1).channel_id or "")[0].pinned


def test_a_revoked_token_keeps_retrying_and_says_so(firebell: Firebell) -> None:
    emu = firebell.emu
    emu.faults.add("conversations.create", kind="error", error="token_revoked", times=1)
    firebell.driver.slash_command("/incident", "declare sev1 Checkout failing", user="alice", channel="general")
    told = firebell.wait_for(
        lambda: [r for r in emu.responses if "refused to create its war room" in str(r.body)], what="the declarer told"
    )
    assert "keeps trying" in str(told[0].body)
    [effect] = [e for e in firebell.pending_effects() if e.kind == "create_channel"]
    assert effect.next_attempt_at > datetime.now(UTC) + timedelta(seconds=30)  # slowly, not hammering
    assert "token_revoked" in (effect.last_error or "")
