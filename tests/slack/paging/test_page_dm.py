"""The page DM through the real edge: a declare for a service pages its on-call, the DM reaches Slack with its
buttons, and pressing them is recorded, told in the war room and shown in the DM."""

import copy

from sqlalchemy import select

from firebell.emulator.models import Message
from firebell.store.paging_models import PageNotification
from tests.harness import Firebell
from tests.slack.forged import forged_click, response_text
from tests.slack.paging.conftest import (
    BOB,
    CAROL,
    action_ids,
    block_text,
    declare_checkout,
    page_dms,
    said,
    wait_for_dm,
)


def page_id(message: Message) -> str:
    """The page id the DM's buttons carry."""
    [value] = {e["value"] for b in message.blocks if b.get("type") == "actions" for e in b["elements"]}
    return str(value)


def test_a_declare_pages_the_services_on_call_and_acknowledge_takes_it(firebell: Firebell) -> None:
    room = declare_checkout(firebell)
    [dm] = wait_for_dm(firebell, BOB)
    assert action_ids(dm) == ["page_ack", "page_decline", "page_escalate"]
    shown = block_text(dm)
    assert "You are paged for INC-1" in shown and "Payments failing" in shown and "SEV1" in shown
    assert "*Service*\\ncheckout" in shown and "Firebell (automatic)" in shown and "Why: SEV1 declared" in shown
    assert "schedule *primary*" in shown
    assert f"<#{room}>" in shown or "being set up" in shown
    assert dm.text.startswith("You are paged: INC-1 (SEV1)")  # what the phone's notification shows
    firebell.settle()
    assert f"Paged <@{BOB}> (through schedule *primary*): step 1." in said(firebell, room)
    assert "is paging service *checkout*" in said(firebell, room)

    stale = copy.deepcopy(dm)  # what a second device of Bob's still shows
    press = firebell.driver.click("bob", dm.channel, dm.ts, "page_ack")
    assert press.acked_in_time
    answered = firebell.wait_for(
        lambda: "page.answer" in block_text(page_dms(firebell, BOB)[0]) and page_dms(firebell, BOB)[0],
        what="the DM to show the answer",
    )
    assert action_ids(answered) == []  # the buttons gave way to the answer
    assert "You acknowledged the page of INC-1" in block_text(answered)
    assert "*Service*\\ncheckout" in block_text(answered)  # still says what it was about
    firebell.settle()
    assert f"<@{BOB}> acknowledged (" in said(firebell, room)
    assert BOB in firebell.emu.channel(room).members  # invited to the war room
    incident = firebell.api("/api/v1/incidents/1").json()
    assert incident["acknowledged_at"] is not None and incident["service"] == "checkout"
    kinds = [kind for kind, _, _ in firebell.timeline(1)]
    assert kinds.count("page_acknowledged") == 1 and "paged" in kinds and "page_notified" in kinds

    again, response_url = forged_click(firebell, "bob", stale, "page_ack", page_id(stale))
    assert again.status_code == 200
    told = firebell.wait_for(lambda: response_text(firebell, response_url), what="the second press's answer")
    assert "You already acknowledged the page of INC-1." in told
    firebell.settle()
    assert [kind for kind, _, _ in firebell.timeline(1)].count("page_acknowledged") == 1


def test_i_cant_passes_the_page_to_the_next_step_at_once(firebell: Firebell) -> None:
    room = declare_checkout(firebell)
    [dm] = wait_for_dm(firebell, BOB)
    firebell.driver.click("bob", dm.channel, dm.ts, "page_decline")
    [carols] = wait_for_dm(firebell, CAROL)  # no clock moved: step 2 is paged at once
    assert "schedule *secondary*" in block_text(carols)
    answered = firebell.wait_for(
        lambda: "page.answer" in block_text(page_dms(firebell, BOB)[0]) and page_dms(firebell, BOB)[0],
        what="Bob's DM to show the answer",
    )
    assert "Step 2 of the page of INC-1 is being paged now." in block_text(answered)
    firebell.settle()
    assert f"<@{BOB}> can't take the page: paging step 2 now." in said(firebell, room)


def test_once_someone_acknowledges_everyone_elses_dm_says_who_and_loses_its_buttons(firebell: Firebell) -> None:
    room = declare_checkout(firebell)
    [bobs] = wait_for_dm(firebell, BOB)
    firebell.driver.slash_command("/incident", "escalate", user="alice", channel=room)
    [carols] = wait_for_dm(firebell, CAROL)
    firebell.settle()
    assert action_ids(page_dms(firebell, BOB)[0]) == ["page_ack", "page_decline", "page_escalate"]
    firebell.driver.click("carol", carols.channel, carols.ts, "page_ack")
    firebell.settle()
    [bobs] = page_dms(firebell, BOB)  # the same message, edited in place
    assert action_ids(bobs) == []
    assert f"<@{CAROL}> acknowledged this page already." in block_text(bobs)
    assert "You are paged for INC-1" in block_text(bobs)  # still says what it was about
    [carols] = page_dms(firebell, CAROL)
    assert "You acknowledged the page of INC-1" in block_text(carols)  # her own, answered where she pressed
    with firebell.runtime.ctx.db.read() as session:
        sent = session.execute(select(PageNotification.user_id, PageNotification.dm_ts)).all()
    assert {user for user, ts in sent if ts} == {BOB, CAROL}


def test_a_person_slack_cannot_reach_is_skipped_at_once(firebell: Firebell) -> None:
    firebell.emu.faults.add("conversations.open", "error", error="cannot_dm_bot", times=1)
    room = declare_checkout(firebell)
    [carols] = wait_for_dm(firebell, CAROL)  # Bob was step 1's only person: the page moved on without waiting
    assert "page_ack" in action_ids(carols)
    assert page_dms(firebell, BOB) == []
    firebell.settle()
    assert f"Slack could not deliver the page to <@{BOB}> (`cannot_dm_bot`)." in said(firebell, room)
    with firebell.runtime.ctx.db.read() as session:
        outcomes = dict(session.execute(select(PageNotification.user_id, PageNotification.outcome)).all())
    assert outcomes == {BOB: "unreachable", CAROL: "sent"}


def test_stale_and_forged_presses_are_refused_to_the_presser_alone(firebell: Firebell) -> None:
    declare_checkout(firebell)
    [dm] = wait_for_dm(firebell, BOB)
    stale = copy.deepcopy(dm)
    firebell.driver.click("bob", dm.channel, dm.ts, "page_ack")
    firebell.settle()
    for value, refusal in (
        (page_id(stale), "The page of INC-1 was acknowledged by"),  # I can't, on a page Bob took already
        ("99999", "No page 99999."),
        ("<!channel>", "is not a valid page"),
    ):
        answer, response_url = forged_click(firebell, "bob", stale, "page_decline", value)
        assert answer.status_code == 200
        told = response_text(firebell, response_url)  # waits for the answer
        assert refusal in told and "<!channel>" not in told
    assert "page.answer" in block_text(page_dms(firebell, BOB)[0])  # the DM still shows Bob's acknowledgement
    assert [kind for kind, _, _ in firebell.timeline(1)].count("page_declined") == 0
