"""The page DM's blocks, pure: what it says in each state of the page, and that outside text pings nobody."""

import json
from dataclasses import replace

from firebell.domain.paging import PageStatus
from firebell.domain.policy import Policy
from firebell.services.paging.delivery import PageDm
from firebell.slack.blocks.page_notices import PAGE_NOTICES
from firebell.slack.blocks.paging import page_answered_message, page_dm_message

DM = PageDm(
    page_id=12,
    incident_number=7,
    title="Checkout <!channel> & co",
    severity="SEV1",
    service="checkout",
    channel_id=None,
    paged_by="U0ALICE000",
    reason="5xx <@U0EVE00000> above 20%",
    via="schedule:checkout-primary",
    round=0,
    step=0,
    status=PageStatus.ACTIVE,
    acknowledged_by=None,
)


def _buttons(blocks: list[dict[str, object]]) -> list[tuple[str, str]]:
    return [(e["action_id"], e["value"]) for b in blocks if b.get("type") == "actions" for e in b["elements"]]  # type: ignore[attr-defined]


def test_an_active_page_offers_all_three_answers_and_escapes_outside_text() -> None:
    message = page_dm_message(DM)
    assert _buttons(message.blocks) == [("page_ack", "12"), ("page_decline", "12"), ("page_escalate", "12")]
    shown = json.dumps(message.blocks) + message.text
    assert "<!channel>" not in shown and "<@U0EVE00000>" not in shown
    assert "Checkout &lt;!channel&gt; &amp; co" in shown and "<@U0ALICE000>" in shown
    assert "being set up" in shown and "schedule *checkout-primary*" in shown


def test_the_war_room_is_linked_once_it_exists_and_a_late_page_can_still_be_taken() -> None:
    linked = page_dm_message(replace(DM, channel_id="C0ROOM0001", paged_by=None, reason=None, service=None))
    shown = json.dumps(linked.blocks)
    assert "<#C0ROOM0001>" in shown and "Firebell (automatic)" in shown and "not named" in shown
    late = page_dm_message(replace(DM, status=PageStatus.EXHAUSTED))
    assert _buttons(late.blocks) == [("page_ack", "12")] and "you can still take it" in json.dumps(late.blocks)


def test_the_answer_replaces_the_buttons_and_keeps_what_the_page_was_about() -> None:
    shown = [*page_dm_message(DM).blocks, {"type": "section", "block_id": "forged", "text": {"type": "mrkdwn"}}]
    answered = page_answered_message(shown, "You acknowledged the page of INC-7 <!here> (2m 13s).")
    assert [b.get("block_id") for b in answered.blocks] == ["page.summary", "page.room", "page.answer"]
    assert _buttons(answered.blocks) == [] and "<!here>" not in json.dumps(answered.blocks) + answered.text


def test_a_settled_dm_says_who_took_the_page_and_tells_the_taker_it_was_them() -> None:
    taken = replace(DM, status=PageStatus.ACKNOWLEDGED, acknowledged_by="U0CAROL000")
    others = page_dm_message(replace(taken, recipient="U0BOB00000"))
    assert _buttons(others.blocks) == [] and "<@U0CAROL000> acknowledged this page already." in json.dumps(
        others.blocks
    )
    # The taker's DM is also replaced by their press's answer; either edit may land last, and both say it was them.
    own = page_dm_message(replace(taken, recipient="U0CAROL000"))
    assert _buttons(own.blocks) == [] and own.blocks[-1]["block_id"] == "page.answer"
    assert "You acknowledged this page." in json.dumps(own.blocks)


def test_an_escalation_held_by_maintenance_says_when_the_step_is_paged() -> None:
    payload = {"user": "U0ALICE000", "to_round": 1, "to_step": 2, "held_until": "2026-11-24T12:00:00+00:00"}
    shown = json.dumps(PAGE_NOTICES["page_escalated"]({**payload, "service": "<!here>"}, Policy()).blocks)
    assert "is paged when *&lt;!here&gt;*'s maintenance ends" in shown and "now" not in shown.split("maintenance")[0]
