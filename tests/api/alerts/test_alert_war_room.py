"""Alert-born incidents and the war room's alert notes, through the HTTP edge: Alertmanager-shaped webhooks
into Firebell, Slack played by the emulator, assertions on what Slack saw and what the store holds."""

import copy
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from firebell.emulator.models import Message
from firebell.store.models import AlertGroup, Counter, Effect, Incident, TimelineEvent
from tests.api.alerts.payloads import am_alert, am_group
from tests.api.alerts.test_alerts import post
from tests.clock import Clock
from tests.harness import Firebell, outbox_key, running_firebell
from tests.slack.forged import forged_click, response_text

GAP = timedelta(seconds=6)  # past the coalesced notes' gap (5 s)


def crit(name: str, status: str = "firing", **extra: Any) -> dict[str, Any]:
    """A critical alert (the test policy maps critical to SEV2, which prometheus declares at)."""
    alert = am_alert(name, status, **extra)
    alert["labels"] = {**alert["labels"], "severity": "critical", **extra.get("labels", {})}
    return alert


def kickoff(firebell: Firebell, number: int) -> Message:
    room = firebell.war_room(number)
    ts = firebell.incident(number).kickoff_ts
    found = firebell.emu.channel(room.id).messages.get(ts or "")
    assert found is not None
    return found


def incidents(firebell: Firebell) -> list[dict[str, Any]]:
    answer = firebell.api("/api/v1/incidents")
    assert answer.status_code == 200
    found: list[dict[str, Any]] = answer.json()
    return found


def notes(firebell: Firebell, channel: str) -> list[Message]:
    return [m for m in firebell.bot_messages(channel) if ":post_alert_note:" in outbox_key(m)]


def told_count(messages: list[Message], what: str) -> int:
    """The sum of the N in "N <what>" over the notes' headlines."""
    return sum(
        int(n) for m in messages for n in re.findall(rf"(\d+) {what}", m.blocks[0]["text"]["text"].split("\n")[0])
    )


def test_a_group_at_its_declare_rule_declares_one_incident_listing_its_alerts(firebell: Firebell) -> None:
    shouting = crit("HighHTTP5xxRate", annotations={"summary": "5xx <!channel> on <https://evil.example|click> & co"})
    body = am_group(shouting, crit("CheckoutLatencyHigh"))
    for _ in range(3):  # Alertmanager re-sends the group every group_interval: still one incident
        assert post(firebell, "prometheus", body).status_code == 200
    [listed] = incidents(firebell)
    assert listed["declared_by"] is None and listed["declared_from"] == "prometheus"
    assert listed["commander"] is None and listed["severity"] == "SEV2"
    assert listed["title"].endswith(" on checkout (+1 more alert)")
    assert listed["detected_at"] == "2026-12-07T13:50:00.123456Z"  # the alerts' earliest startsAt
    message = kickoff(firebell, listed["number"])
    blocks = json.dumps(message.blocks)
    assert "HighHTTP5xxRate" in blocks and "CheckoutLatencyHigh" in blocks and "*Alerts* (2)" in blocks
    assert "<!channel>" not in blocks and "&lt;!channel&gt;" in blocks  # the annotation pings nobody
    assert "<https://evil.example|click>" not in blocks
    assert "declared from alerts (prometheus)" in blocks and "<@" not in blocks  # no made-up mention
    assert "I'm the IC" in blocks and "_unassigned_" in blocks
    assert "http-5xx-after-deploy" in blocks  # runbook keywords hold the alert name
    with firebell.runtime.ctx.db.read() as session:
        group = session.scalars(select(AlertGroup)).one()
        assert group.incident_id is not None and group.decision == "declared" and group.decided_by is None
        kinds = list(session.scalars(select(TimelineEvent.kind).where(TimelineEvent.incident_id == group.incident_id)))
    assert kinds.count("alert_firing") == 2 and "alerts_linked" in kinds and "declared" in kinds
    announcement = firebell.emu.messages(firebell.incident(listed["number"]).announcement_channel_id or "")
    assert any("declared from alerts (prometheus)" in json.dumps(m.blocks) for m in announcement)
    firebell.settle()
    assert not notes(firebell, firebell.war_room(listed["number"]).id)  # the first alerts are in the kick-off


@pytest.fixture
def owner_policy(policy: Policy) -> Policy:
    return policy.model_copy(update={"triage_owner": "U0TRIAGE1"})


def test_the_triage_owner_becomes_ic(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, owner_policy: Policy
) -> None:
    with running_firebell(emu, slack, database_url, owner_policy) as firebell:
        assert post(firebell, "prometheus", am_group(crit("DiskFull"))).status_code == 200
        [listed] = incidents(firebell)
        assert listed["commander"] == "U0TRIAGE1" and listed["declared_by"] is None
        blocks = json.dumps(kickoff(firebell, listed["number"]).blocks)
        assert "<@U0TRIAGE1>" in blocks and "I'm the IC" not in blocks


def test_im_the_ic_makes_the_first_presser_ic_and_tells_the_next_who_is(firebell: Firebell) -> None:
    assert post(firebell, "prometheus", am_group(crit("DiskFull"))).status_code == 200
    [listed] = incidents(firebell)
    number = listed["number"]
    room = firebell.war_room(number).id
    stale = copy.deepcopy(kickoff(firebell, number))  # what bob's Slack still shows
    firebell.driver.click("alice", room, stale.ts, "incident.claim_commander")
    alice = firebell.emu.user_id("alice")
    firebell.wait_for(lambda: firebell.incident(number).commander == alice, what="alice in command")
    firebell.settle()
    blocks = json.dumps(kickoff(firebell, number).blocks)
    assert f"<@{alice}>" in blocks and "I'm the IC" not in blocks  # the kick-off follows
    answer, response_url = forged_click(firebell, "bob", stale, "incident.claim_commander", str(number))
    assert answer.status_code == 200
    told = firebell.wait_for(lambda: response_text(firebell, response_url), what="bob's answer")
    assert f"<@{alice}>" in told and "already the Incident Commander" in told
    assert firebell.incident(number).commander == alice
    kinds = [kind for kind, _, _ in firebell.timeline(number)]
    assert kinds.count("commander_changed") == 1


def test_a_resolved_incident_is_not_reopened_by_its_alerts(firebell: Firebell) -> None:
    assert post(firebell, "prometheus", am_group(crit("DiskFull"))).status_code == 200
    with firebell.runtime.ctx.db.transaction() as session:
        incident = session.scalars(select(Incident)).one()
        incident.status = "resolved"
    assert post(firebell, "prometheus", am_group(crit("DiskFull", "resolved"))).status_code == 200
    again = crit("DiskFull", startsAt="2026-12-07T15:00:00Z")
    assert post(firebell, "prometheus", am_group(again)).status_code == 200  # fires again: a new incident
    found = incidents(firebell)
    assert [(i["number"], i["status"]) for i in found] == [(2, "investigating"), (1, "resolved")]


# -- the war room's notes, on a hand-moved clock -------------------------------------------------------------


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime.now(UTC))


@pytest.fixture
def clocked(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, *, policy: Policy, clock: Clock
) -> Iterator[Firebell]:
    with running_firebell(emu, slack, database_url, policy, clock=clock) as running:
        yield running


def deliver(firebell: Firebell, clock: Clock) -> None:
    """Let the notes' gap pass and wait until the outbox is empty."""
    clock.advance(GAP)
    firebell.wait_for(lambda: not firebell.pending_effects(), what="the outbox")


def test_a_storm_on_a_linked_group_gives_a_few_notes_and_all_resolved_once(clocked: Firebell, clock: Clock) -> None:
    firebell = clocked
    names = [f"Pod{i}CrashLooping" for i in range(25)]
    assert post(firebell, "prometheus", am_group(crit(names[0]))).status_code == 200
    [listed] = incidents(firebell)
    number = listed["number"]
    room = firebell.war_room(number).id
    firebell.settle()
    # 50 posts: the group grows by one alert a post, then its alerts resolve one a post (as Alertmanager
    # sends the group as it stands), each re-sent once; 100 ms apart.
    bodies = [am_group(*(crit(n) for n in names[: i + 1])) for i in range(1, 25)]
    bodies += [am_group(*(crit(n, "resolved" if j <= i else "firing") for j, n in enumerate(names))) for i in range(25)]
    posts = 0
    for body in bodies:
        for _ in range(2 if posts < 50 else 1):
            if posts == 50:
                break
            assert post(firebell, "prometheus", body).status_code == 200
            posts += 1
            clock.advance(timedelta(milliseconds=100))
    deliver(firebell, clock)
    deliver(firebell, clock)
    told = notes(firebell, room)
    assert 1 <= len(told) <= 4, [m.text for m in told]
    # the timeline has one row per alert state change, not per delivery
    with firebell.runtime.ctx.db.read() as session:
        incident_id = session.scalars(select(Incident.id)).one()
        kinds = list(session.scalars(select(TimelineEvent.kind).where(TimelineEvent.incident_id == incident_id)))
    assert kinds.count("alert_firing") == 25
    resolved_so_far = kinds.count("alert_resolved")
    assert 0 < resolved_so_far < 25
    # together the notes tell every change once: 24 more alerts, and the resolves so far
    assert told_count(told, "more alert") == 24 and told_count(told, "resolved") == resolved_so_far
    assert not any("All alerts resolved" in json.dumps(m.blocks) for m in told)
    # the rest resolve, and the resolved group is re-sent five times: told once
    every = am_group(*(crit(n, "resolved") for n in names))
    for _ in range(5):
        assert post(firebell, "prometheus", every).status_code == 200
        clock.advance(timedelta(milliseconds=100))
    deliver(firebell, clock)
    deliver(firebell, clock)
    after = notes(firebell, room)
    said = [m for m in after if "All alerts resolved" in json.dumps(m.blocks)]
    assert len(said) == 1 and "/incident mitigate" in json.dumps(said[0].blocks)
    assert told_count(after, "more alert") == 24 and told_count(after, "resolved") == 25
    with firebell.runtime.ctx.db.read() as session:
        kinds = list(session.scalars(select(TimelineEvent.kind).where(TimelineEvent.incident_id == incident_id)))
        assert session.scalar(select(func.count()).select_from(Incident)) == 1
        assert session.scalar(select(Counter.value).where(Counter.name == "incident")) == 1
    assert kinds.count("alert_resolved") == 25
    assert firebell.incident(number).status.value == "investigating"  # Firebell never mitigates by itself


def test_an_incident_nobody_leads_still_works_end_to_end(clocked: Firebell, clock: Clock) -> None:
    """Reminders, /incident subcommands, the postmortem: nothing assumes an IC or a declarer exists."""
    firebell = clocked
    assert post(firebell, "prometheus", am_group(crit("DiskFull"))).status_code == 200
    [listed] = incidents(firebell)
    number = listed["number"]
    room = firebell.war_room(number).id
    firebell.settle()
    topic = firebell.emu.channel(room).topic.value
    assert "IC: unassigned" in topic and "<@" not in topic
    for _ in range(3):  # three missed updates: the room is reminded; there is nobody to DM
        firebell.advance(timedelta(minutes=31))
    firebell.settle()
    reminded = [m.text for m in firebell.reminders(room)]
    assert reminded and all("<@" not in text for text in reminded), reminded
    assert "No Incident Commander yet" in json.dumps(firebell.reminders(room)[0].blocks)
    firebell.driver.slash_command("/incident", "list", user="carol", channel="general")
    firebell.driver.slash_command("/incident", "update Disk at 97%, cleaning up", user="carol", channel=room)
    firebell.driver.slash_command("/incident", "mitigate Cleaned up /var/log", user="carol", channel=room)
    firebell.driver.slash_command("/incident", "resolve Disk back to 40%", user="carol", channel=room)
    firebell.settle()
    incident = firebell.incident(number)
    assert incident.status.value == "resolved" and incident.commander is None
    draft = firebell.api(f"/api/v1/incidents/{number}/postmortem")
    assert draft.status_code == 200
    assert "Nobody declared it: declared from alerts (prometheus)" in draft.text
    assert "declared as SEV2 from alerts (prometheus) at" in draft.text
    assert "to the Incident Commander directly" not in draft.text  # nobody to DM: no such escalation
    with firebell.runtime.ctx.db.read() as session:
        dead = session.scalar(select(func.count()).select_from(Effect).where(Effect.status == "dead"))
    assert dead == 0  # no effect failed for want of an IC
    assert not firebell.emu.violations


def test_an_alert_firing_again_reopens_its_group_on_the_open_incident(clocked: Firebell, clock: Clock) -> None:
    firebell = clocked
    assert post(firebell, "prometheus", am_group(crit("DiskFull"))).status_code == 200
    [listed] = incidents(firebell)
    room = firebell.war_room(listed["number"]).id
    firebell.settle()
    assert post(firebell, "prometheus", am_group(crit("DiskFull", "resolved"))).status_code == 200
    deliver(firebell, clock)
    again = crit("DiskFull", startsAt="2026-12-07T15:00:00Z")
    for _ in range(3):
        assert post(firebell, "prometheus", am_group(again)).status_code == 200
    deliver(firebell, clock)
    told = notes(firebell, room)
    assert [m.text for m in told] == [
        f"INC-{listed['number']}: all alerts resolved",
        f"INC-{listed['number']}: 1 firing again",
    ]
    assert len(incidents(firebell)) == 1  # the open incident took it back: no second declare
    with firebell.runtime.ctx.db.read() as session:
        groups = session.execute(select(AlertGroup.status, AlertGroup.incident_id)).all()
    assert len(groups) == 1 and groups[0].status == "open"


def test_a_big_group_is_cut_to_block_kit_limits_in_the_kickoff(firebell: Firebell) -> None:
    long = "disk " * 400 + "&<>" * 200  # escaping lengthens it: the cut must land between words, outside entities
    alerts = [crit(f"Disk{i}Full", annotations={"summary": long}) for i in range(14)]
    assert post(firebell, "prometheus", am_group(*alerts, truncatedAlerts=12)).status_code == 200
    [listed] = incidents(firebell)
    message = kickoff(firebell, listed["number"])
    [alerts_block] = [b for b in message.blocks if b.get("block_id") == "kickoff.alerts"]
    text = alerts_block["text"]["text"]
    assert len(text) <= 3000 and text.startswith("*Alerts* (14)")
    shown = text.count(":red_circle:")
    assert 1 <= shown <= 10 and f"_and {14 - shown} more_" in text
    assert "_and 12 more alerts the sender did not send_" in text
    assert re.search(r"&(?!amp;|lt;|gt;)", text) is None  # no entity cut in half
    assert not firebell.emu.violations
