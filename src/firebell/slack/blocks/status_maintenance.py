"""Messages about status-page maintenance: the answers to `/incident maintenance …` and the announcement.

Titles, text and component names come from people or the policy: every one is escaped here.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from firebell.domain.status_page.vocabulary import MaintenanceStatus
from firebell.services.status_page.maintenance import MaintenanceView
from firebell.slack.blocks.incident import Message
from firebell.slack.blocks.kit import SECTION_TEXT_LIMIT, Block, context, date_token, header, mention, section
from firebell.slack.mrkdwn import escape_mrkdwn, truncate

MAX_LISTED = 30
_BODY_SHOWN = 600
_ICON = {
    MaintenanceStatus.SCHEDULED: ":calendar:",
    MaintenanceStatus.IN_PROGRESS: ":construction:",
    MaintenanceStatus.COMPLETED: ":white_check_mark:",
}


def _window(starts_at: datetime, ends_at: datetime) -> str:
    return f"{date_token(starts_at)} – {date_token(ends_at)}"


def _components(names: Sequence[str]) -> str:
    return ", ".join(f"*{escape_mrkdwn(n)}*" for n in names)


def _line(view: MaintenanceView) -> str:
    state = "cancelled" if view.cancelled_at is not None else view.status.label.lower()
    return (
        f"{_ICON[view.status]} `{view.public_id}` {escape_mrkdwn(truncate(view.title, 120))}: "
        f"{_components(view.component_names)}, {_window(view.starts_at, view.ends_at)} _({state})_"
    )


def maintenance_scheduled_reply(view: MaintenanceView) -> Message:
    """The answer to scheduling: what, when, and how to call it off."""
    text = (
        f":calendar: Maintenance `{view.public_id}` scheduled: {_components(view.component_names)}, "
        f"{_window(view.starts_at, view.ends_at)}. The status page shows it from now on."
    )
    blocks: list[Block] = [
        section(text),
        section(escape_mrkdwn(truncate(view.body, _BODY_SHOWN))),
        context(f"Call it off or end it early: `/incident maintenance cancel {view.public_id}`"),
    ]
    return Message(text=text, blocks=blocks)


def maintenance_cancelled_reply(view: MaintenanceView, *, was_in_progress: bool) -> Message:
    """The answer to cancelling: called off, or ended early."""
    done = "has ended early" if was_in_progress else "is called off"
    text = f":white_check_mark: Maintenance `{view.public_id}` ({escape_mrkdwn(view.title)}) {done}."
    return Message(text=text, blocks=[section(text)])


def maintenance_list_reply(views: Sequence[MaintenanceView]) -> Message:
    """Maintenance not yet over, with ids."""
    if not views:
        text = "No maintenance is scheduled or in progress. Schedule one with `/incident maintenance <components> <from> <to> <text>`."
        return Message(text=text, blocks=[section(text)])
    lines = [_line(v) for v in views[:MAX_LISTED]]
    blocks: list[Block] = [header("Scheduled maintenance")]
    chunk: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > SECTION_TEXT_LIMIT - 100:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    blocks.append(section("\n".join(chunk)))
    more = f"{len(views) - MAX_LISTED} more not shown. " if len(views) > MAX_LISTED else ""
    blocks.append(context(f"{more}Cancel or end one early: `/incident maintenance cancel <id>`"))
    return Message(text=f"{len(views)} maintenance windows scheduled or in progress", blocks=blocks)


def maintenance_announcement(payload: dict[str, Any]) -> Message:
    """The announcement channel's message: a maintenance scheduled, begun, completed, called off or ended early."""
    event = str(payload.get("event"))
    names = _components([str(n) for n in payload.get("components") or []])
    title = escape_mrkdwn(truncate(str(payload.get("title") or ""), 200))
    window = _window(datetime.fromisoformat(payload["starts_at"]), datetime.fromisoformat(payload["ends_at"]))
    who = mention(payload.get("by"))
    if event == "scheduled":
        text = f":calendar: *Maintenance scheduled*: {title}\n{names}, {window} (scheduled by {who})"
        blocks: list[Block] = [section(text), section(escape_mrkdwn(truncate(str(payload.get("body") or ""), 2000)))]
    elif event == "started":
        text = f":construction: *Maintenance in progress*: {title}\n{names}, {window}"
        blocks = [section(text)]
    elif event == "completed":
        text = f":white_check_mark: *Maintenance completed*: {title}\n{names}, {window}"
        blocks = [section(text)]
    else:
        done = "ended early" if event == "ended" else "called off"
        text = f":white_check_mark: *Maintenance {done}*: {title}\n{names}, {window} ({done} by {who})"
        blocks = [section(text)]
    blocks.append(context(f"Maintenance `{escape_mrkdwn(str(payload.get('public_id')))}` on the status page"))
    return Message(text=text, blocks=blocks)
