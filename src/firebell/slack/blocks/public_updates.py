"""Block Kit for public updates in the war room: the draft with its Approve & publish / Edit / Reject buttons (and
what it becomes once decided), the published notice with the public link, the prompt to publish a resolved update,
the public cadence's reminders, and the reject form asking why."""

import json
from datetime import datetime, timedelta
from typing import Any

from firebell.domain.durations import format_duration
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.naming import incident_label
from firebell.domain.policy import Policy
from firebell.domain.status_page.templates import incident_page_url
from firebell.domain.status_page.vocabulary import ComponentStatus, PublicStatus
from firebell.slack.blocks.incident import ActionId, Message
from firebell.slack.blocks.kit import (
    SECTION_TEXT_LIMIT,
    Block,
    actions,
    button,
    channel_link,
    confirm_dialog,
    context,
    date_token,
    ic_mention,
    mention,
    plain,
    section,
)
from firebell.slack.blocks.modals import View
from firebell.slack.blocks.public_update_form import PublicForm
from firebell.slack.mrkdwn import escape_mrkdwn, mrkdwn_chunks, truncate

MAX_BODY_SECTIONS = 3  # a public update is at most 5,000 characters: two sections, and one to spare


class PublicAction:
    """action_ids of the public update buttons."""

    OPEN = ActionId.PUBLIC_UPDATE  # value: the incident number
    APPROVE = "public_update.approve"  # value: the update id
    EDIT = "public_update.edit"
    REJECT = "public_update.reject"


def public_update_button(number: int, *, label: str = "Public update", primary: bool = False) -> dict[str, Any]:
    """The button that opens the public update form for an incident."""
    return button(label, PublicAction.OPEN, value=str(number), style="primary" if primary else None)


def page_link(policy: Policy, public_id: str) -> str:
    """Where the public reads this incident: a link when `status_page.public_url` is set, else the path."""
    base = policy.status_page.public_url
    if base is None:
        return f"`/status/incidents/{public_id}` (set `status_page.public_url` for a link)"
    return f"<{incident_page_url(base, public_id)}|the public incident page>"


def _components(policy: Policy, components: dict[str, Any]) -> str:
    lines = []
    for slug, value in components.items():
        try:
            name = policy.status_page.component(slug).name
        except ValueError:
            name = slug
        lines.append(f"• {escape_mrkdwn(name)}: {ComponentStatus(value).label}")
    return "\n".join(lines) if lines else "_No components named_"


def _body_blocks(body: str) -> list[Block]:
    chunks = mrkdwn_chunks(body, SECTION_TEXT_LIMIT - 10)[:MAX_BODY_SECTIONS]
    return [section(chunk) for chunk in chunks]


def _when(value: object) -> str:
    if not value:
        return ""
    return " " + date_token(datetime.fromisoformat(str(value)))


def card_message(card: dict[str, Any], policy: Policy, *, reason: str | None = None) -> Message:
    """A public update as the war room sees it: a draft with its buttons, or what became of it."""
    status = PublicStatus(card["status"])
    state = str(card["state"])
    title = escape_mrkdwn(str(card["title"]))
    by = mention(card.get("drafted_by"))
    heads = {
        "draft": f":memo: *Public update drafted* by {by}, awaiting the Incident Commander's approval",
        "published": f":globe_with_meridians: *Public update published* by {mention(card.get('decided_by'))}"
        f"{_when(card.get('decided_at'))} (drafted by {by})",
        "rejected": f":no_entry_sign: *Public update not published*: rejected by {mention(card.get('decided_by'))}"
        f"{_when(card.get('decided_at'))}",
        "superseded": ":arrows_counterclockwise: *Public update superseded* by a newer draft; nothing was published.",
    }
    head = heads.get(state, heads["superseded"])
    if state == "rejected" and reason:
        head += f"\n>{escape_mrkdwn(truncate(reason, 500))}"
    blocks: list[Block] = [
        section(head),
        section(
            f"*Public title*\n{title}",
            fields=[f"*Status*\n{status.label}", f"*Components*\n{_components(policy, card.get('components') or {})}"],
        ),
        *_body_blocks(str(card["body"])),
    ]
    update_id = str(card["update_id"])
    if state == "draft":
        confirm = confirm_dialog(
            "Publish this update?", "It appears on the public status page at once, for everyone.", "Publish"
        )
        blocks.append(
            actions(
                button("Approve & publish", PublicAction.APPROVE, value=update_id, style="primary", confirm=confirm),
                button("Edit", PublicAction.EDIT, value=update_id),
                button("Reject", PublicAction.REJECT, value=update_id, style="danger"),
                block_id=f"public_update.{update_id}",
            )
        )
        blocks.append(context("Only the Incident Commander can approve or reject. Nothing is public until then."))
    elif state == "published":
        blocks.append(context(f"On the status page: {page_link(policy, str(card['public_id']))}"))
    words = {"draft": "drafted", "published": "published", "rejected": "rejected", "superseded": "superseded"}
    text = (
        f"Public update {words.get(state, state)} ({status.label}): {escape_mrkdwn(truncate(str(card['body']), 150))}"
    )
    return Message(text=text, blocks=blocks)


def drafted_notice(payload: dict[str, Any], policy: Policy) -> Message:
    """The notice a draft posts in the war room: the draft itself, with its buttons."""
    return card_message(payload, policy)


def published_notice(payload: dict[str, Any], policy: Policy) -> Message:
    """A public update reached the status page: who published it, what it says and where the public reads it."""
    status = PublicStatus(payload["status"])
    text = (
        f":globe_with_meridians: Public update published by {mention(payload.get('decided_by'))} "
        f"(*{status.label}*): customers now read it on {page_link(policy, str(payload['public_id']))}."
    )
    quoted = escape_mrkdwn(truncate(str(payload["body"]), 2500)).replace("\n", "\n>")
    return Message(
        text=f"Public update published ({status.label})",
        blocks=[section(text), section(f">{quoted}")],
    )


def resolve_prompt_notice(payload: dict[str, Any], policy: Policy) -> Message:
    """The incident is resolved but the status page still says otherwise."""
    label = incident_label(int(payload["number"]))
    shown = PublicStatus(payload.get("public_status") or PublicStatus.INVESTIGATING.value).label
    text = (
        f":globe_with_meridians: {label} is resolved, but the status page still says *{shown}*. "
        "Publish a resolved update so customers know it is over."
    )
    button_ = public_update_button(int(payload["number"]), label="Publish resolved update", primary=True)
    return Message(text=f"{label}: publish a resolved update", blocks=[section(text), actions(button_)])


PUBLIC_NOTICES = {
    "public_update_drafted": drafted_notice,
    "public_update_published": published_notice,
    "public_resolve_due": resolve_prompt_notice,
}


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def public_reminder_message(incident: IncidentSnapshot, policy: Policy, payload: dict[str, Any]) -> Message:
    """The public cadence's reminder: in the war room, to the IC directly, or in the announcement channel."""
    label = incident_label(incident.number)
    silence = format_duration(timedelta(seconds=int(payload.get("silence_seconds", 0))))
    miss = int(payload.get("miss", 1))
    target = payload.get("target")
    if target == "announcement":
        text = (
            f":warning: *{label}* ({incident.severity}): the public status page has had no update for {silence}. "
            f"IC: {ic_mention(incident.commander)} · war room {channel_link(incident.channel_id)}"
        )
        return Message(text=f"{label}: the status page has had no update for {silence}", blocks=[section(text)])
    update = public_update_button(incident.number, primary=True)
    if target == "dm":
        text = (
            f":globe_with_meridians: *{label}* ({channel_link(incident.channel_id)}) owes the public status page "
            f"an update: none for {silence}. This is the {_ordinal(miss)} missed public update in a row."
        )
        return Message(text=f"{label} needs a public update", blocks=[section(text), actions(update)])
    cc = ""
    deputy = incident.roles.get("deputy")
    if payload.get("mention_deputy") and deputy and deputy != incident.commander:
        cc = f" cc {mention(deputy)}"
    who = mention(incident.commander) if incident.commander else "Incident Commander (nobody yet):"
    text = (
        f":globe_with_meridians: {who} a *public* update for *{label}* is due: the status page last heard "
        f"{silence} ago.{cc}"
    )
    interval = policy.known(incident.severity).public_update_interval
    notes = [f"{incident.severity}: the public hears every {format_duration(interval)}"] if interval else []
    if miss > 1:
        notes.append(f"{_ordinal(miss)} missed public update in a row")
    blocks: list[Block] = [section(text)]
    if notes:
        blocks.append(context(" · ".join(notes)))
    blocks.append(actions(update, block_id="public_reminder.actions"))
    return Message(text=f"{label}: a public update is due", blocks=blocks)


def reject_modal(update_id: int, number: int, message: tuple[str, str] | None) -> View:
    """Asks why a draft is turned down (the drafter reads it in the war room)."""
    meta: dict[str, Any] = {"update": str(update_id), "number": number}
    if message:
        meta["message_channel"], meta["message_ts"] = message
    return {
        "type": "modal",
        "callback_id": PublicForm.REJECT,
        "private_metadata": json.dumps(meta),
        "title": plain("Reject public update", limit=24),
        "submit": plain("Reject"),
        "close": plain("Cancel"),
        "blocks": [
            {
                "type": "input",
                "block_id": "reason",
                "label": plain("Why not publish it?"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": 500,
                    "placeholder": plain("e.g. Don't name the database; say payments are slow"),
                },
                "hint": plain("Shown in the war room, so the drafter can write it again."),
            }
        ],
    }
