"""Block Kit for the review: the postmortem summary, action item lists, follow-ups, and their forms."""

import json
from datetime import date
from typing import Any

from firebell.domain.action_items import DUE_FORMS, ActionItemView, ItemStatus
from firebell.domain.cadence import CadenceReport
from firebell.domain.detection import Detection
from firebell.domain.durations import format_duration
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.key_times import key_times, signed_duration
from firebell.domain.naming import incident_label
from firebell.domain.postmortem import PostmortemSections
from firebell.slack.action_values import whole_number
from firebell.slack.blocks.incident import Message
from firebell.slack.blocks.kit import (
    Block,
    actions,
    button,
    context,
    date_token,
    header,
    list_sections,
    mention,
    plain,
    section,
)
from firebell.slack.mrkdwn import escape_mrkdwn, truncate


class ReviewAction:
    """action_ids of the review's buttons and menus."""

    EDIT = "review.edit"
    ADD_ACTION = "review.add_action"
    DONE = "review.item_done"  # value: item id
    REASSIGN = "review.item_reassign"  # a users_select; block_id carries the item id
    CLOSE = "review.close_confirmed"  # value: incident number


class ReviewForm:
    """callback_ids of the review's modals."""

    SECTIONS = "review.sections"
    ACTION = "review.action"


def postmortem_summary(
    incident: IncidentSnapshot,
    *,
    cadence: CadenceReport,
    events: int,
    items: list[ActionItemView],
    detection: Detection,
    file_permalink: str | None,
) -> Message:
    """The war-room message that presents a fresh postmortem draft."""
    label = incident_label(incident.number)
    times = key_times(incident)
    fields = [
        f"*Declared*\n{date_token(incident.declared_at)}",
        f"*Resolved*\n{date_token(incident.resolved_at) if incident.resolved_at else 'not yet'}",
        f"*Time to mitigate*\n{format_duration(times.time_to_mitigate) if times.time_to_mitigate is not None else 'not yet'}",
        f"*Time to resolve*\n{format_duration(times.time_to_resolve) if times.time_to_resolve is not None else 'not yet'}",
    ]
    fields.append(f"*Detected*\n{_detected_by(incident, detection)}")
    if times.time_to_detect is not None:
        fields.append(f"*Time to detect*\n{signed_duration(times.time_to_detect)}")
    fields.append(f"*Time to declare*\n{format_duration(times.time_to_declare)}")
    if times.impact_duration is not None:
        at_least = "" if times.start_is_impact else "at least "
        fields.append(f"*Customer impact*\n{at_least}{format_duration(times.impact_duration)}")
    open_items = sum(1 for i in items if i.status is ItemStatus.OPEN)
    counts = (
        f"times from the {times.measured_from} · {events} timeline events · updates on time {cadence.updates_on_time}/{cadence.updates_due} · "
        f"longest silence {format_duration(cadence.longest_silence)} · action items {open_items} open of {len(items)}"
    )
    link = (
        f"<{file_permalink}|Read the full draft (Markdown)>" if file_permalink else "The full draft is attached above."
    )
    blocks: list[Block] = [
        header(f"{label} postmortem draft"),
        section(
            f"A blameless draft from the timeline. {link}\nFill in the summary, contributing factors and lessons, "
            "and add action items; `/incident postmortem` posts it again with your changes.",
            fields=fields,
        ),
        context(counts),
        actions(
            button("Edit summary & lessons", ReviewAction.EDIT, value=str(incident.number), style="primary"),
            button("Add action item", ReviewAction.ADD_ACTION, value=str(incident.number)),
            block_id="review.actions",
        ),
    ]
    return Message(text=f"{label} postmortem draft", blocks=blocks)


def _detected_by(incident: IncidentSnapshot, detection: Detection) -> str:
    """`by 3 alerts (prometheus)` or `by @alice`, and when."""
    at = date_token(incident.detected_at or incident.declared_at)
    if detection.by_alerts:
        many = "alert" if detection.alert_count == 1 else "alerts"
        sources = escape_mrkdwn(truncate(", ".join(detection.sources), 100))
        return f"{at} by {detection.alert_count} {many} ({sources})"
    return f"{at} by {mention(incident.declared_by)}"


def postmortem_link(incident: IncidentSnapshot, file_permalink: str | None) -> Message:
    """The announcement-thread pointer to the draft."""
    label = incident_label(incident.number)
    where = f"<{file_permalink}|the draft>" if file_permalink else "the draft in the war room"
    text = f":memo: *{label}* postmortem: {where} is ready for review."
    return Message(text=f"{label} postmortem draft ready", blocks=[section(text)])


def draft_failed(incident: IncidentSnapshot) -> Message:
    """Said once in the war room when drafting fails (it is retried)."""
    text = (
        f":warning: Firebell could not draft the {incident_label(incident.number)} postmortem this time "
        "(the error is logged). It is retrying; the incident itself is resolved."
    )
    return Message(text=text, blocks=[section(text)])


def _item_line(item: ActionItemView, today: date, *, with_incident: bool) -> str:
    owner = mention(item.owner) if item.owner else "_unowned_"
    if item.due_on is None:
        due = "no due date"
    elif item.is_overdue(today):
        due = f":warning: due {item.due_on.isoformat()} ({(today - item.due_on).days}d overdue)"
    else:
        due = f"due {item.due_on.isoformat()}"
    where = f"{incident_label(item.incident_number)} · " if with_incident else ""
    state = ":white_check_mark: " if item.status is ItemStatus.DONE else ""
    return f"{state}*#{item.id}* {where}{escape_mrkdwn(truncate(item.text, 300))}\n{owner} · {due}"


class ListScope:
    """Which list an action item's controls sit in, so pressing one can redraw that list."""

    ROOM = "room"  # the war room's items
    MINE = "mine"  # the presser's open items across incidents


def item_block_id(item_id: int, scope: str) -> str:
    """block_id of an item's controls: `item.<id>.<scope>`."""
    return f"item.{item_id}.{scope}"


def parse_item_block_id(block_id: str) -> tuple[int, str]:
    """(item id, list scope) from an item's block_id (`item.<id>` from before scopes means the room)."""
    parts = block_id.split(".")
    item_id = parts[1] if len(parts) > 1 else ""
    return whole_number(item_id, "action item"), parts[2] if len(parts) > 2 else ListScope.ROOM


def action_items_message(
    items: list[ActionItemView],
    *,
    today: date,
    title: str,
    with_incident: bool = False,
    scope: str = ListScope.ROOM,
    note: str | None = None,
) -> Message:
    """A list of action items, each with Done and Reassign controls while open (at most 20 shown); `note`
    (what just changed) goes above it when the list is redrawn."""
    if not items:
        text = f"{title}: none. Add one with `/incident action &lt;text&gt; [@owner] [due …]`."
        empty = section(escape_mrkdwn(title) + ": none.")
        return Message(text=text, blocks=[context(note), empty] if note else [empty])
    blocks: list[Block] = [header(title)]
    if note:
        blocks.append(context(note))
    for item in items[:20]:
        blocks.append(section(_item_line(item, today, with_incident=with_incident)))
        if item.status is ItemStatus.OPEN:
            blocks.append(
                actions(
                    button("Mark done", ReviewAction.DONE, value=str(item.id), style="primary"),
                    {
                        "type": "users_select",
                        "action_id": ReviewAction.REASSIGN,
                        "placeholder": plain("Reassign to…"),
                    },
                    block_id=item_block_id(item.id, scope),
                )
            )
    if len(items) > 20:
        blocks.append(context(f"…and {len(items) - 20} more (GET /api/v1/action-items)."))
    return Message(text=title, blocks=blocks)


def nudge_message(payload: dict[str, Any]) -> Message:
    """The daily DM to an owner: their overdue action items, grouped."""
    items = payload["items"]
    lines = [
        f"• *#{i['id']}* {i['label']}: {escape_mrkdwn(truncate(str(i['text']), 200))} "
        f"(due {i['due']}, {i['days_overdue']}d overdue)"
        for i in items
    ]
    text = f":hourglass: You own {len(items)} overdue action item{'s' if len(items) != 1 else ''}:"
    return Message(
        text=f"{len(items)} overdue action items",
        blocks=[
            *list_sections(text, lines, what="overdue items", max_sections=10),
            context("`/incident actions mine` lists them with Done buttons."),
        ],
    )


def unowned_message(payload: dict[str, Any]) -> Message:
    """Told in the war room: overdue action items nobody owns."""
    lines = [
        f"• *#{i['id']}* {escape_mrkdwn(truncate(str(i['text']), 200))} (due {i['due']})" for i in payload["items"]
    ]
    intro = ":raising_hand: These action items are overdue and have no owner. Who takes them?"
    return Message(
        text="Overdue action items without an owner", blocks=list_sections(intro, lines, what="unowned items")
    )


def _text_block(block_id: str, label: str, initial: str | None, *, placeholder: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": True,
        "max_length": 3000,
        "placeholder": plain(placeholder, limit=150),
    }
    if initial:
        element["initial_value"] = truncate(initial, 3000)
    return {"type": "input", "block_id": block_id, "label": plain(label), "element": element, "optional": True}


def sections_form(incident: IncidentSnapshot, sections: PostmortemSections) -> dict[str, Any]:
    """The form for what people write in the postmortem."""
    started: dict[str, Any] = {"type": "datetimepicker", "action_id": "value"}
    if incident.impact_started_at:
        started["initial_date_time"] = int(incident.impact_started_at.timestamp())
    review: dict[str, Any] = {"type": "datepicker", "action_id": "value"}
    if sections.review_on:
        review["initial_date"] = sections.review_on.isoformat()
    return {
        "type": "modal",
        "callback_id": ReviewForm.SECTIONS,
        "private_metadata": json.dumps({"number": incident.number}),
        "title": plain(f"{incident_label(incident.number)} postmortem", limit=24),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": [
            _text_block("summary", "Summary", sections.summary, placeholder="What happened, in two or three sentences"),
            _text_block(
                "contributing_factors",
                "Contributing factors",
                sections.contributing_factors,
                placeholder="Conditions in systems and process, not people",
            ),
            _text_block("lessons", "Lessons", sections.lessons, placeholder="What went well, what surprised us"),
            {
                "type": "input",
                "block_id": "impact_started_at",
                "label": plain("Impact started"),
                "element": started,
                "optional": True,
                "hint": plain(
                    "When customers were first affected: time to detect counts from it (also `/incident times impact`)."
                ),
            },
            {
                "type": "input",
                "block_id": "review_on",
                "label": plain("Review meeting by"),
                "element": review,
                "optional": True,
            },
        ],
    }


def action_form(incident: IncidentSnapshot) -> dict[str, Any]:
    """The add-action-item form."""
    return {
        "type": "modal",
        "callback_id": ReviewForm.ACTION,
        "private_metadata": json.dumps({"number": incident.number, "channel": incident.channel_id}),
        "title": plain("Add action item"),
        "submit": plain("Add"),
        "close": plain("Cancel"),
        "blocks": [
            {
                "type": "input",
                "block_id": "text",
                "label": plain("What to do"),
                "element": {"type": "plain_text_input", "action_id": "value", "max_length": 500},
            },
            {
                "type": "input",
                "block_id": "owner",
                "label": plain("Owner"),
                "optional": True,
                "element": {"type": "users_select", "action_id": "value"},
            },
            {
                "type": "input",
                "block_id": "due",
                "label": plain("Due"),
                "optional": True,
                "element": {"type": "datepicker", "action_id": "value"},
                "hint": plain(f"Or in the command: {DUE_FORMS}"),
            },
        ],
    }


def close_confirmation(number: int, question: str) -> Message:
    """Asked before closing a review that leaves action items open."""
    return Message(
        text=question,
        blocks=[
            section(f":warning: {escape_mrkdwn(question)}"),
            actions(
                button("Close anyway", ReviewAction.CLOSE, value=str(number), style="danger"), block_id="review.close"
            ),
        ],
    )
