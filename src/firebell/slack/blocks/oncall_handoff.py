"""The handoff DMs: to whoever comes on call (the schedule, until when, what is open) and to whoever goes off
(thanks, and what is still open)."""

from datetime import datetime
from typing import Any

from firebell.domain.naming import incident_label
from firebell.slack.blocks.incident import Message
from firebell.slack.blocks.kit import Block, channel_link, context, date_token, list_sections, mention, section
from firebell.slack.mrkdwn import escape_mrkdwn, truncate

# Both lists share one message, which Slack refuses past about 12,000 characters of blocks.
INCIDENTS_BUDGET, ITEMS_BUDGET = 5_000, 4_000


def _incident_line(incident: dict[str, Any]) -> str:
    label = incident_label(int(incident["number"]))
    severity = escape_mrkdwn(str(incident["severity"]))
    title = escape_mrkdwn(truncate(str(incident["title"]), 150))
    where = channel_link(incident.get("channel_id"), fallback="")
    return f"• *{label}* {severity} {title} ({escape_mrkdwn(str(incident['status']))}) {where}".rstrip()


def _item_line(item: dict[str, Any]) -> str:
    text = escape_mrkdwn(truncate(str(item["text"]), 200))
    due = f" (due {item['due']})" if item.get("due") else ""
    return f"• *#{item['id']}* {incident_label(int(item['incident']))}: {text}{due}"


def _open_blocks(payload: dict[str, Any], services: str) -> list[Block]:
    incidents = [_incident_line(i) for i in payload.get("incidents") or []]
    items = [_item_line(i) for i in payload.get("items") or []]
    blocks: list[Block] = []
    if incidents:
        intro = f"*Open incidents of {services}:*"
        blocks += list_sections(intro, incidents, what="incidents", max_sections=3, budget=INCIDENTS_BUDGET)
    elif services:
        blocks.append(section(f"No open incidents of {services}."))
    if items:
        intro = "*Action items you own:*"
        blocks += list_sections(intro, items, what="action items", max_sections=3, budget=ITEMS_BUDGET)
    return blocks


def handoff_message(payload: dict[str, Any]) -> Message:
    """The DM for one side of a handoff (`direction` in or out)."""
    schedule = escape_mrkdwn(str(payload["schedule"]))
    services = ", ".join(escape_mrkdwn(str(s)) for s in payload.get("services") or [])
    if payload.get("direction") == "in":
        until = payload.get("until")
        when = f"until {date_token(datetime.fromisoformat(until))}" if until else "with no end in sight yet"
        others = [mention(u) for u in payload.get("outgoing") or []]
        after = f" You take over from {', '.join(others)}." if others else ""
        intro = f":rotating_light: You are now on call for *{schedule}*, {when}.{after}"
        text = f"You are on call for {payload['schedule']}"
    else:
        nxt = [mention(u) for u in payload.get("incoming") or []]
        handed = f" {', '.join(nxt)} took over." if nxt else " Nobody is on call after you."
        intro = f":raised_hands: Thanks for your shift on *{schedule}*: you are off call now.{handed}"
        text = f"Your on-call shift for {payload['schedule']} is over"
    blocks = [section(intro), *_open_blocks(payload, services)]
    blocks.append(context("`/oncall` shows who is on call now; `/incident actions mine` lists your action items."))
    return Message(text=text, blocks=blocks)
