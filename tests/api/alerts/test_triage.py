"""Alert triage through the real edge: Alertmanager-shaped webhooks in, one triage message per group in
Slack (the emulator), signed button presses and form submissions back, and the decision in the store."""

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import Engine

from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from firebell.emulator.driver import sign
from firebell.emulator.mentions import mentions
from firebell.emulator.models import Message
from firebell.emulator.models import View as EmulatorView
from firebell.store.models import AlertGroup
from tests.api.alerts.conftest import PROM_TOKEN
from tests.api.alerts.payloads import am_alert, am_group
from tests.clock import Clock
from tests.harness import Firebell, running_firebell

START = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
GAP = timedelta(seconds=5)  # coalesced edits wait this long after the lane's last one


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def firebell(  # noqa: PLR0917 - pytest passes fixtures by name
    emu: SlackEmulator,
    slack: EmulatorServer,
    database_url: str,
    clean_db: Engine,
    policy: Policy,
    clock: Clock,
) -> Iterator[Firebell]:
    """Firebell on a hand-moved clock, with a public #alerts channel for triage (the bot is not in it yet)."""
    emu.add_channel("alerts", [emu.user_id("alice"), emu.user_id("bob")])
    with running_firebell(emu, slack, database_url, policy, clock=clock) as running:
        yield running


def post(firebell: Firebell, document: dict[str, Any]) -> None:
    answer = httpx.post(
        f"{firebell.url}/api/v1/alerts/prometheus",
        content=json.dumps(document).encode(),
        headers={"Authorization": f"Bearer {PROM_TOKEN}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text


def triage_messages(firebell: Firebell) -> list[Message]:
    alerts = firebell.emu.channel_by_name("alerts")
    assert alerts is not None
    return firebell.bot_messages(alerts.id)


def only_message(firebell: Firebell) -> Message:
    [message] = triage_messages(firebell)
    return message


def later(firebell: Firebell) -> None:
    """Let the coalescing gap pass (nothing in flight while time jumps), and every queued edit land."""
    assert firebell.runtime.gateway.wait_idle(10)
    assert firebell.clock is not None
    firebell.clock.advance(GAP)
    firebell.runtime.gateway.wake()
    firebell.settle()


def buttons(message: Message) -> list[str]:
    return [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


def shown(message: Message) -> str:
    return json.dumps(message.blocks, ensure_ascii=False)


def press(firebell: Firebell, user: str, action_id: str) -> Any:
    message = only_message(firebell)
    result = firebell.driver.click(user, message.channel, message.ts, action_id)
    assert result.acked_in_time
    return result


def opened_view(firebell: Firebell, callback_id: str) -> EmulatorView:
    view: EmulatorView = firebell.wait_for(
        lambda: next((v for v in firebell.emu.views.values() if v.callback_id == callback_id and not v.closed), None),
        what=f"the {callback_id} form",
    )
    return view


def group_row(firebell: Firebell, group_id: int = 1) -> AlertGroup:
    with firebell.runtime.ctx.db.read() as session:
        group = session.get(AlertGroup, group_id)
        assert group is not None
        session.expunge(group)
        return group


def test_one_message_edited_in_place_as_alerts_join_and_resolve(firebell: Firebell) -> None:
    post(firebell, am_group(am_alert("DiskFilling")))
    firebell.settle()
    first = only_message(firebell)
    assert "1 firing · 0 resolved" in shown(first) and "DiskFilling" in shown(first)
    assert buttons(first) == ["alerts.declare", "alerts.attach", "alerts.decline", "alerts.acknowledge"]

    post(firebell, am_group(am_alert("DiskFilling"), am_alert("InodesLow")))
    later(firebell)
    joined = only_message(firebell)
    assert joined.ts == first.ts and joined.edited >= 1
    assert "2 firing · 0 resolved" in shown(joined) and "InodesLow" in shown(joined)

    post(firebell, am_group(am_alert("DiskFilling", "resolved"), am_alert("InodesLow", "resolved")))
    later(firebell)
    closed = only_message(firebell)
    assert "0 firing · 2 resolved" in shown(closed) and "All resolved at" in shown(closed)
    assert "alerts.acknowledge" not in buttons(closed)  # nothing left to look at
    assert firebell.api("/api/v1/alert-groups/1").json()["triage"] is None  # nobody decided anything


def test_a_resend_that_only_raises_the_severity_edits_the_message(firebell: Firebell) -> None:
    unmapped = am_alert("DiskFilling")
    unmapped["labels"]["severity"] = "info"  # not in the source's map
    post(firebell, am_group(unmapped))
    firebell.settle()
    assert "*Severity*\\nunmapped" in shown(only_message(firebell))
    post(firebell, am_group(am_alert("DiskFilling")))  # the same alert, now labelled warning (SEV3)
    later(firebell)
    assert "*Severity*\\nSEV3" in shown(only_message(firebell))


def test_a_group_at_its_declare_rule_gets_no_triage_message(firebell: Firebell) -> None:
    critical = am_alert(
        "CheckoutDown", labels={"alertname": "CheckoutDown", "service": "checkout", "severity": "critical"}
    )
    post(firebell, am_group(critical))
    firebell.settle()
    assert triage_messages(firebell) == []


def test_a_storm_into_one_group_is_a_few_edits_and_the_final_state_lands(firebell: Firebell) -> None:
    names = [f"Shard{i:02d}Lagging" for i in range(50)]
    for n in range(1, 51):
        post(firebell, am_group(*(am_alert(name) for name in names[:n])))
    later(firebell)
    message = only_message(firebell)
    alerts = firebell.emu.channel_by_name("alerts")
    assert alerts is not None
    calls = [c for c in firebell.emu.calls if c.method in ("chat.postMessage", "chat.update")]
    calls = [c for c in calls if c.args.get("channel") == alerts.id]
    assert len(calls) <= 3, [c.method for c in calls]
    assert "50 firing · 0 resolved" in shown(message)
    assert "…and 30 more alerts in this group" in shown(message)  # 20 listed


def test_acknowledge_is_recorded_and_shown(firebell: Firebell) -> None:
    post(firebell, am_group(am_alert("DiskFilling")))
    firebell.settle()
    press(firebell, "alice", "alerts.acknowledge")
    alice = firebell.emu.user_id("alice")
    group = group_row(firebell)
    assert (group.decision, group.decided_by, group.decided_at) == ("acknowledged", alice, START)
    later(firebell)
    message = only_message(firebell)
    assert f":eyes: <@{alice}> is looking since" in shown(message)
    assert buttons(message) == ["alerts.declare", "alerts.attach", "alerts.decline"]
    triage = firebell.api("/api/v1/alert-groups/1").json()["triage"]
    assert triage == {
        "decision": "acknowledged",
        "reason": None,
        "note": None,
        "by": alice,
        "at": "2026-12-07T14:00:00Z",
    }


def test_decline_asks_why_records_it_and_counts_it_for_alike_groups(firebell: Firebell) -> None:
    post(firebell, am_group(am_alert("FlappyProbe")))
    firebell.settle()
    press(firebell, "bob", "alerts.decline")
    form = opened_view(firebell, "alerts.decline")
    reasons = next(b for b in form.view["blocks"] if b.get("block_id") == "reason")["element"]["options"]
    assert [o["value"] for o in reasons] == ["noise", "duplicate", "expected", "known"]
    submit = firebell.driver.submit_view("bob", form.id, {"reason": "noise", "note": "flaps every deploy <!here>"})
    assert submit.acked_in_time and submit.view_outcome == "closed"

    bob = firebell.emu.user_id("bob")
    triage = firebell.api("/api/v1/alert-groups/1").json()["triage"]
    assert triage == {
        "decision": "declined",
        "reason": "noise",
        "note": "flaps every deploy <!here>",
        "by": bob,
        "at": "2026-12-07T14:00:00Z",
    }
    later(firebell)
    message = only_message(firebell)
    assert f"Declined as *noise* by <@{bob}>: flaps every deploy &lt;!here&gt;" in shown(message)
    assert mentions(message) <= {bob}
    assert buttons(message) == ["alerts.declare", "alerts.attach"]  # a decline can still be overturned

    # The same alert from another service, another sender group: alike, so the earlier decline is counted.
    other = am_alert("FlappyProbe", service="search", fingerprint="f1a2b3c4d5e6f708")
    post(firebell, am_group(other, key='{}:{service="search"}'))
    firebell.settle()
    newest = triage_messages(firebell)[-1]
    assert newest.ts != message.ts
    assert "declined in the last 7 days: noise ×1" in shown(newest)


def test_declare_from_triage_opens_the_prefilled_form_and_links_the_group(firebell: Firebell) -> None:
    post(firebell, am_group(am_alert("DiskFilling"), am_alert("InodesLow")))
    firebell.settle()
    press(firebell, "alice", "alerts.declare")
    form = opened_view(firebell, "incident.declare")
    blocks = {b["block_id"]: b for b in form.view["blocks"]}
    assert blocks["severity"]["element"]["initial_option"]["value"] == "SEV3"  # warning maps to SEV3
    assert "DiskFilling" in blocks["title"]["element"]["initial_value"]
    assert "service checkout" in blocks["description"]["element"]["initial_value"]
    assert json.loads(form.view["private_metadata"]) == {"alert_group": "1"}

    submit = firebell.driver.submit_view("alice", form.id, {"title": "Disk filling on checkout", "severity": "SEV3"})
    assert submit.json()["response_action"] == "update"
    room = firebell.war_room(1)
    listed = firebell.api("/api/v1/incidents/1/alerts").json()
    assert sorted(a["name"] for a in listed) == ["DiskFilling", "InodesLow"]
    alice = firebell.emu.user_id("alice")
    triage = firebell.api("/api/v1/alert-groups/1").json()["triage"]
    assert (triage["decision"], triage["by"]) == ("declared", alice)
    later(firebell)
    message = only_message(firebell)
    assert f"Declared as *INC-1* by <@{alice}> (<#{room.id}>)" in shown(message)
    assert buttons(message) == []


def test_two_declares_of_one_group_at_once_one_wins_the_other_is_told(firebell: Firebell) -> None:
    post(firebell, am_group(am_alert("DiskFilling")))
    firebell.settle()
    press(firebell, "alice", "alerts.declare")
    alices = opened_view(firebell, "incident.declare")
    press(firebell, "bob", "alerts.declare")  # both see the button before either declares
    bobs = firebell.wait_for(
        lambda: next(
            (v for v in firebell.emu.views.values() if v.callback_id == "incident.declare" and v.user != alices.user),
            None,
        ),
        what="bob's form",
    )
    assert firebell.driver.submit_view("alice", alices.id, {"title": "Disk A"}).json()["response_action"] == "update"
    lost = firebell.driver.submit_view("bob", bobs.id, {"title": "Disk B"}).json()
    assert lost["response_action"] == "errors" and "already belongs" in lost["errors"]["title"]
    assert firebell.api("/api/v1/incidents").json()[0]["number"] == 1
    assert len(firebell.api("/api/v1/incidents").json()) == 1
    # The message still shows its buttons until the coalesced edit lands: a press meanwhile is refused, clearly.
    press(firebell, "bob", "alerts.acknowledge")
    firebell.wait_for(
        lambda: any("already declared as INC-1" in json.dumps(r.body) for r in firebell.emu.responses),
        what="the refusal",
    )
    assert group_row(firebell).decision == "declared"
    later(firebell)
    assert buttons(only_message(firebell)) == []


def test_attach_to_an_open_incident_tells_its_war_room(firebell: Firebell) -> None:
    firebell.driver.slash_command("/incident", "declare sev2 Checkout slow", user="alice", channel="general")
    room = firebell.war_room(1)
    post(firebell, am_group(am_alert("LatencyHigh"), am_alert("ErrorsHigh")))
    firebell.settle()
    press(firebell, "bob", "alerts.attach")
    form = opened_view(firebell, "alerts.attach")
    [choice] = form.view["blocks"][0]["element"]["options"]
    assert choice["value"] == "1" and choice["text"]["text"].startswith("INC-1 · SEV2 · Checkout slow")
    submit = firebell.driver.submit_view("bob", form.id, {"incident": "1"})
    assert submit.view_outcome == "closed"

    bob = firebell.emu.user_id("bob")
    group = group_row(firebell)
    assert (group.decision, group.decided_by) == ("attached", bob)
    assert [a["group_id"] for a in firebell.api("/api/v1/incidents/1/alerts").json()] == [1, 1]
    later(firebell)
    notice = firebell.wait_for(
        lambda: next((m for m in firebell.bot_messages(room.id) if "attached" in m.text), None), what="the notice"
    )
    assert f"<@{bob}> attached 2 alerts (2 firing) from *prometheus*" in shown(notice)
    assert f"Attached to *INC-1* by <@{bob}>" in shown(only_message(firebell))
    assert any(kind == "alerts_linked" for kind, _, _ in firebell.timeline(1))


def test_attach_with_no_open_incident_is_refused_with_an_ephemeral(firebell: Firebell) -> None:
    post(firebell, am_group(am_alert("LatencyHigh")))
    firebell.settle()
    press(firebell, "bob", "alerts.attach")
    firebell.wait_for(
        lambda: any("no open incident" in json.dumps(r.body) for r in firebell.emu.responses), what="the refusal"
    )
    assert group_row(firebell).decision is None


def test_alert_text_is_escaped_pings_nobody_and_links_only_http(firebell: Firebell) -> None:
    carol = firebell.emu.user_id("carol")
    hostile = am_alert(
        "Evil<!channel>",
        annotations={"summary": f"<!channel> <@{carol}> *bold* <https://evil.example|click> & more " + "word " * 200},
        generatorURL="javascript:alert(1)",
        labels={"alertname": "Evil<!channel>", "service": "checkout", "instance": "<!here>", "severity": "warning"},
    )
    post(firebell, am_group(hostile, am_alert("Fine")))
    firebell.settle()
    message = only_message(firebell)
    text = shown(message)
    assert mentions(message) == set()
    assert "&lt;!channel&gt;" in text and f"&lt;@{carol}&gt;" in text and "&amp; more" in text
    assert "javascript:" not in text
    assert "<http://prometheus:9090/graph?g0.expr=up|source>" in text  # Fine's generator URL is a link
    for block in message.blocks:
        for part in [block.get("text") or {}, *(block.get("fields") or []), *(block.get("elements") or [])]:
            body = part.get("text", "") if isinstance(part.get("text"), str) else ""
            assert len(body) <= 3000
            assert not body.endswith("&am…")  # cut before escaping: an entity is never broken


def test_slack_down_during_a_storm_then_up_the_last_state_lands(firebell: Firebell, clock: Clock) -> None:
    firebell.emu.outage = True
    names = [f"Node{i}Down" for i in range(30)]
    for n in range(1, 31):
        post(firebell, am_group(*(am_alert(name) for name in names[:n])))
    firebell.wait_for(lambda: any(c.fault == "outage" for c in firebell.emu.calls), what="a refused call")
    firebell.emu.outage = False
    for _ in range(6):  # retries back off on the hand-moved clock: let their time come
        clock.advance(timedelta(seconds=35))
        firebell.settle(timeout=20)
    message = only_message(firebell)
    assert "30 firing · 0 resolved" in shown(message)
    assert group_row(firebell).triage_ts == message.ts


def test_a_replayed_button_press_is_carried_out_once(firebell: Firebell, clock: Clock) -> None:
    post(firebell, am_group(am_alert("DiskFilling")))
    firebell.settle()
    first = press(firebell, "alice", "alerts.acknowledge")
    clock.advance(timedelta(minutes=1))
    body = urlencode({"payload": json.dumps(first.payload)}).encode()
    ts = int(time.time())
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sign(firebell.emu.signing_secret, ts, body),
    }
    replay = httpx.post(f"{firebell.url}/slack/events", content=body, headers=headers, timeout=10)
    assert replay.status_code == 200
    firebell.settle()
    assert group_row(firebell).decided_at == START  # not acknowledged again a minute later
    assert not any("already looking" in json.dumps(r.body) for r in firebell.emu.responses)  # nor refused


def test_a_deleted_triage_message_is_posted_again(firebell: Firebell) -> None:
    post(firebell, am_group(am_alert("DiskFilling")))
    firebell.settle()
    gone = only_message(firebell)
    with firebell.emu.lock:
        del firebell.emu.channel(gone.channel).messages[gone.ts]  # someone deleted it in Slack
    post(firebell, am_group(am_alert("DiskFilling"), am_alert("InodesLow")))
    later(firebell)
    again = only_message(firebell)
    assert again.ts != gone.ts and "2 firing" in shown(again)
    assert group_row(firebell).triage_ts == again.ts


def test_declares_submitted_at_the_same_instant_make_one_incident(firebell: Firebell) -> None:
    post(firebell, am_group(am_alert("DiskFilling")))
    firebell.settle()
    users = ["alice", "bob", "carol"]
    forms = {}
    for user in users:
        press(firebell, user, "alerts.declare")
        user_id = firebell.emu.user_id(user)
        forms[user] = firebell.wait_for(
            lambda uid=user_id: next(  # type: ignore[misc]
                (v for v in firebell.emu.views.values() if v.callback_id == "incident.declare" and v.user == uid), None
            ),
            what=f"{user}'s form",
        )
    answers: dict[str, Any] = {}
    barrier = threading.Barrier(len(users))

    def submit(user: str) -> None:
        barrier.wait()
        answers[user] = firebell.driver.submit_view(user, forms[user].id, {"title": f"Disk by {user}"}).json()

    threads = [threading.Thread(target=submit, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    won = [u for u, a in answers.items() if a.get("response_action") == "update"]
    told = [u for u, a in answers.items() if a.get("response_action") == "errors"]
    assert len(won) == 1 and sorted(told) == sorted(set(users) - set(won))
    assert all("already belongs" in answers[u]["errors"]["title"] for u in told)
    [incident] = firebell.api("/api/v1/incidents").json()
    assert incident["title"] == f"Disk by {won[0]}"
    group = group_row(firebell)
    assert (group.decision, group.decided_by) == ("declared", firebell.emu.user_id(won[0]))
