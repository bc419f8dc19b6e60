"""`/incident page|ack|escalate` in a war room, through signed slash commands and the emulator."""

import pytest

from firebell.domain.errors import UsageError
from firebell.slack.grammar import parse_command
from firebell.slack.page_grammar import AckPage, EscalatePage, PageSomeone
from tests.harness import Firebell
from tests.slack.paging.conftest import BOB, CAROL, DAVE, block_text, paging_policy, said, wait_for_dm


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("page checkout", PageSomeone("checkout")),
        ("page Primary DB is on fire", PageSomeone("primary", "DB is on fire")),
        (f"page <@{DAVE}|dave> can you look?", PageSomeone(DAVE, "can you look?")),
        ("ack", AckPage()),
        ("acknowledge", AckPage()),
        ("escalate", EscalatePage()),
    ],
)
def test_paging_commands_parse(text: str, expected: object) -> None:
    assert parse_command(text, paging_policy()) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("page", "`page` needs someone to page"),
        ("page @dave", "isn't a Slack mention"),
        ("page <#C0123|general>", "not a channel or a group"),
        ("page <!here>", "not a channel or a group"),
        ("page checkout " + "x" * 501, "keep it under 500"),
    ],
)
def test_bad_paging_commands_say_what_is_valid(text: str, message: str) -> None:
    with pytest.raises(UsageError) as refused:
        parse_command(text, paging_policy())
    assert message in refused.value.message


def test_page_by_hand_then_ack_and_escalate_from_the_war_room(firebell: Firebell) -> None:
    driver = firebell.driver
    firebell.driver.slash_command("/incident", "declare sev3 Slow search", user="alice", channel="general")
    room = firebell.war_room(1).id  # SEV3 and no service: nobody is paged by the declare
    answer = driver.answer(
        driver.slash_command("/incident", f"page <@{DAVE}> DB <!channel> is on fire", user="alice", channel=room)
    )
    assert answer["response_type"] == "ephemeral" and f"Paging {DAVE} for INC-1 now." in answer["text"]
    [dm] = wait_for_dm(firebell, DAVE)
    shown = block_text(dm)
    assert (
        "Why: DB @channel is on fire" in shown and "<!channel>" not in shown
    )  # verbatim: pings nobody and "<@U0ALICE000>" in shown
    assert f"<#{room}>" in shown  # the war room exists: linked
    firebell.settle()
    assert "<@U0ALICE000> is paging <@U0DAVE0000>." in said(firebell, room)

    acked = driver.answer(driver.slash_command("/incident", "ack", user="dave", channel=room))
    assert "You acknowledged the page of INC-1" in acked["text"]
    firebell.settle()
    assert f"<@{DAVE}> acknowledged (" in said(firebell, room)
    assert firebell.api("/api/v1/incidents/1").json()["acknowledged_at"] is not None

    escalated = driver.answer(driver.slash_command("/incident", "escalate", user="alice", channel=room))
    assert "Step 1 of the page of INC-1 is being paged now." in escalated["text"]  # a direct page repeats its step
    assert len(wait_for_dm(firebell, DAVE, count=2)) == 2


def test_the_service_page_escalates_by_hand_even_after_an_acknowledgement(firebell: Firebell) -> None:
    driver = firebell.driver
    driver.slash_command("/incident", "declare sev3 Payments slow", user="alice", channel="general")
    room = firebell.war_room(1).id
    driver.answer(driver.slash_command("/incident", "page checkout", user="alice", channel=room))
    wait_for_dm(firebell, BOB)
    driver.answer(driver.slash_command("/incident", "ack", user="bob", channel=room))
    answer = driver.answer(driver.slash_command("/incident", "escalate", user="bob", channel=room))
    assert "Step 2 of the page of INC-1 is being paged now." in answer["text"]
    wait_for_dm(firebell, CAROL)
    firebell.settle()
    assert f"<@{BOB}> escalated the page: paging step 2 now." in said(firebell, room)


def test_refusals_are_ephemeral_and_change_nothing(firebell: Firebell) -> None:
    driver = firebell.driver
    outside = driver.answer(driver.slash_command("/incident", "page checkout", user="alice", channel="general"))
    assert "isn't an incident channel" in outside["text"]
    driver.slash_command("/incident", "declare sev3 Slow search", user="alice", channel="general")
    room = firebell.war_room(1).id
    unknown = driver.answer(driver.slash_command("/incident", "page billing", user="alice", channel=room))
    assert "Nothing to page called 'billing'" in unknown["text"] and "checkout" in unknown["text"]
    unpaged = driver.answer(driver.slash_command("/incident", "page search", user="alice", channel=room))
    assert "has no escalation_policy" in unpaged["text"]
    nothing = driver.answer(driver.slash_command("/incident", "ack", user="bob", channel=room))
    assert "No page of INC-1 to acknowledge." in nothing["text"]
    for reply in (unknown, unpaged, nothing):
        assert reply["response_type"] == "ephemeral"
    assert not [kind for kind, _, _ in firebell.timeline(1) if kind.startswith("page")]


def test_help_lists_the_paging_commands(firebell: Firebell) -> None:
    shown = str(
        firebell.driver.answer(firebell.driver.slash_command("/incident", "help", user="alice", channel="general"))
    )
    for syntax in (
        "page &lt;service|schedule|@user&gt; [message]",
        "`/incident ack`",
        "`/incident escalate`",
        "--service",
    ):
        assert syntax in shown
