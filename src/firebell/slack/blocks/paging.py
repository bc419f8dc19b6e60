"""The page DM: what a paged person reads on their phone, with Acknowledge, I can't and Escalate; and what it
becomes once they pressed one (the buttons give way to who answered)."""

from typing import Any

from firebell.domain.naming import incident_label
from firebell.domain.paging import PageStatus
from firebell.services.paging.delivery import PageDm
from firebell.slack.blocks.incident import Message
from firebell.slack.blocks.kit import Block, actions, button, channel_link, confirm_dialog, context, mention, section
from firebell.slack.blocks.page_notices import target_text
from firebell.slack.mrkdwn import escape_mrkdwn, truncate


class PageActionId:
    """action_ids of the page DM's buttons; each carries the page id as its value."""

    ACKNOWLEDGE = "page_ack"
    DECLINE = "page_decline"
    ESCALATE = "page_escalate"


# The blocks of the DM that say what the page is about; kept when the buttons give way to an answer.
_KEPT = ("page.summary", "page.room")


def _who_paged(dm: PageDm) -> str:
    if dm.paged_by:
        return mention(dm.paged_by)
    return "Firebell (automatic)"


def _room(dm: PageDm) -> str:
    if dm.channel_id:
        return f"Join the war room: {channel_link(dm.channel_id)}"
    return "The war room is being set up: acknowledge and you are invited to it."


def page_dm_message(dm: PageDm) -> Message:
    """The DM to one person paged: incident, severity, service, who paged and why, the war room, and buttons."""
    label = incident_label(dm.incident_number)
    title = escape_mrkdwn(truncate(dm.title, 200))
    fields = [
        f"*Severity*\n{escape_mrkdwn(dm.severity)}",
        f"*Service*\n{escape_mrkdwn(dm.service) if dm.service else 'not named'}",
        f"*Paged by*\n{_who_paged(dm)}",
        f"*Why you*\n{target_text(dm.via)}",
    ]
    blocks: list[Block] = [
        section(f":rotating_light: *You are paged for {label}* ({escape_mrkdwn(dm.severity)}): {title}", fields=fields)
    ]
    blocks[0]["block_id"] = "page.summary"
    if dm.reason:
        blocks.append(context(f"Why: {escape_mrkdwn(truncate(dm.reason, 500))}"))
    blocks.append(section(_room(dm), block_id="page.room"))
    value = str(dm.page_id)
    acknowledge = button("Acknowledge", PageActionId.ACKNOWLEDGE, value=value, style="primary")
    if dm.status == PageStatus.ACTIVE:
        escalate = confirm_dialog(
            "Escalate this page?",
            "The next step of the escalation is paged now, even if someone acknowledged.",
            "Escalate",
        )
        blocks.append(
            actions(
                acknowledge,
                button("I can't", PageActionId.DECLINE, value=value),
                button("Escalate", PageActionId.ESCALATE, value=value, confirm=escalate),
                block_id="page.actions",
            )
        )
    elif dm.status == PageStatus.EXHAUSTED:  # every round ran out meanwhile: taking it late still helps
        blocks.append(
            context("Nobody acknowledged in time and the announcement channel was told; you can still take it.")
        )
        blocks.append(actions(acknowledge, block_id="page.actions"))
    elif dm.status == PageStatus.CANCELLED:
        blocks.append(context(f":white_check_mark: {label} is resolved: this page ended, nothing to do."))
    elif dm.acknowledged_by and dm.acknowledged_by == dm.recipient:
        # What their own press answered (page_answered_message), so that whichever of the two edits lands last,
        # the DM says they took it, not that someone did.
        blocks.append(section(":ballot_box_with_check: You acknowledged this page.", block_id="page.answer"))
    elif dm.acknowledged_by:
        blocks.append(context(f":white_check_mark: {mention(dm.acknowledged_by)} acknowledged this page already."))
    text = f"You are paged: {label} ({dm.severity}) {escape_mrkdwn(truncate(dm.title, 150))}"
    return Message(text=text, blocks=blocks)


def page_answered_message(shown: list[Any], answer: str) -> Message:
    """The DM once its person pressed a button: what it was about (from the message Slack showed) and the answer
    in place of the buttons. `answer` is plain text from the use case; it is escaped here."""
    kept: list[Block] = [
        block
        for block in shown
        if isinstance(block, dict) and block.get("block_id") in _KEPT and block.get("type") == "section"
    ]
    said = f":ballot_box_with_check: {escape_mrkdwn(truncate(answer, 1000))}"
    return Message(text=escape_mrkdwn(truncate(answer, 150)), blocks=[*kept, section(said, block_id="page.answer")])
