"""Block Kit primitives. Text objects here take text that is already safe (escaped or built by us)."""

import re
from datetime import datetime
from typing import Any

from firebell.slack.mrkdwn import escape_mrkdwn, truncate

Block = dict[str, Any]

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")

SECTION_TEXT_LIMIT = 3000
HEADER_LIMIT = 150
BUTTON_TEXT_LIMIT = 75


def mention(user_id: str | None) -> str:
    """A live user mention; only ever built from a user id Firebell knows, never from user text."""
    if user_id is None or not _USER_ID.match(user_id):
        return "someone"
    return f"<@{user_id}>"


def ic_mention(user_id: str | None) -> str:
    """The Incident Commander: a mention, or "unassigned" while an alert-born incident has nobody in command."""
    return "_unassigned_" if user_id is None else mention(user_id)


def declarer_text(declared_by: str | None, declared_from: str | None) -> str:
    """Who declared: a mention, or the alert source whose rule did (never a made-up mention)."""
    if declared_by is not None:
        return mention(declared_by)
    return f"declared from alerts ({escape_mrkdwn(declared_from or 'an alert source')})"


def channel_link(channel_id: str | None, fallback: str = "the war room") -> str:
    """A link to a channel by id."""
    if channel_id is None or not _CHANNEL_ID.match(channel_id):
        return fallback
    return f"<#{channel_id}>"


def date_token(at: datetime, *, fmt: str = "{date_short_pretty} {time}") -> str:
    """A Slack date token: every reader sees the time in their own timezone."""
    fallback = at.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(at.timestamp())}^{fmt}|{fallback}>"


def plain(text: str, *, limit: int | None = None, emoji: bool = True) -> dict[str, Any]:
    """A plain_text object (never parsed for mentions)."""
    value = truncate(text, limit) if limit else text
    return {"type": "plain_text", "text": value or " ", "emoji": emoji}


def mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn text object. `verbatim`: Slack renders only explicit <...> markup, never auto-parsing
    plain "@channel", "#name" or addresses in user text into pings or links."""
    return {"type": "mrkdwn", "text": truncate(text, SECTION_TEXT_LIMIT) or " ", "verbatim": True}


def header(text: str) -> Block:
    """A header block (plain text, at most 150 characters)."""
    return {"type": "header", "text": plain(text, limit=HEADER_LIMIT)}


def section(text: str, *, fields: list[str] | None = None, block_id: str | None = None) -> Block:
    """A section of mrkdwn, optionally with up to 10 fields."""
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if fields:
        block["fields"] = [{"type": "mrkdwn", "text": truncate(f, 2000), "verbatim": True} for f in fields[:10]]
    if block_id:
        block["block_id"] = block_id
    return block


def context(*texts: str) -> Block:
    """Small grey print."""
    return {"type": "context", "elements": [mrkdwn(t) for t in texts[:10]]}


def divider() -> Block:
    """A horizontal rule."""
    return {"type": "divider"}


def button(
    text: str,
    action_id: str,
    *,
    value: str | None = None,
    style: str | None = None,
    confirm: dict[str, Any] | None = None,
    url: str | None = None,
) -> dict[str, Any]:
    """A button element."""
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(text, limit=BUTTON_TEXT_LIMIT),
        "action_id": action_id,
    }
    if value is not None:
        element["value"] = value
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    if url:
        element["url"] = url
    return element


def confirm_dialog(title: str, text: str, yes: str, no: str = "Cancel") -> dict[str, Any]:
    """A confirmation dialog for a destructive or final action."""
    return {
        "title": plain(title, limit=100),
        "text": mrkdwn(text),
        "confirm": plain(yes, limit=30),
        "deny": plain(no),
    }


def actions(*elements: dict[str, Any], block_id: str | None = None) -> Block:
    """An actions block (at most 25 elements)."""
    block: Block = {"type": "actions", "elements": list(elements)[:25]}
    if block_id:
        block["block_id"] = block_id
    return block


def option(text: str, value: str, description: str | None = None) -> dict[str, Any]:
    """An option for a select menu."""
    opt: dict[str, Any] = {"text": plain(text, limit=75), "value": value}
    if description:
        opt["description"] = plain(description, limit=75)
    return opt


MAX_LIST_SECTIONS = 12
LIST_TEXT_BUDGET = 10_000  # Slack refuses a message whose blocks hold more than about 12,000 characters


def list_sections(
    intro: str,
    lines: list[str],
    *,
    what: str,
    max_sections: int = MAX_LIST_SECTIONS,
    budget: int = LIST_TEXT_BUDGET,
) -> list[Block]:
    """An intro and a list of already-escaped lines, packed whole into sections under Slack's per-block
    limit and within `budget` characters in all (a line is never cut through an entity or a mention);
    what does not fit is counted in a "+N more" note."""
    blocks: list[Block] = []
    current, used, shown = intro, len(intro), 0
    for raw in lines:
        line = truncate(raw, SECTION_TEXT_LIMIT - 1)  # callers bound their lines; this is the backstop
        if used + len(line) + 1 > budget:
            break
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > SECTION_TEXT_LIMIT:
            if len(blocks) + 1 >= max_sections:
                break
            blocks.append(section(current))
            candidate = line
        current, used, shown = candidate, used + len(line) + 1, shown + 1
    if current:
        blocks.append(section(current))
    if shown < len(lines):
        blocks.append(context(f"+{len(lines) - shown} more {what} not shown here."))
    return blocks
