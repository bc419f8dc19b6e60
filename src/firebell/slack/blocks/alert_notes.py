"""Block Kit for alerts in a war room: the kick-off's alert list, the unassigned-IC prompt, coalesced notes.

Alert names, labels and annotations are untrusted: escaped (an annotation `<!channel>` pings nobody) and cut
between words, never inside an entity, to fit Slack's limits.
"""

from datetime import datetime

from firebell.domain.alert_incidents import AlertNote, note_summary
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.naming import incident_label
from firebell.services.alerts.war_room import KickoffAlerts
from firebell.slack.blocks.incident import Message
from firebell.slack.blocks.kit import SECTION_TEXT_LIMIT, Block, actions, button, context, date_token, section
from firebell.slack.mrkdwn import mrkdwn_chunks

CLAIM_COMMAND = "incident.claim_commander"  # the "I'm the IC" button on an alert-born kick-off
_NAME_LIMIT, _SUMMARY_LIMIT = 120, 300
_STATUS = {"firing": ":red_circle:", "resolved": ":large_green_circle:"}


def clip(text: str, limit: int) -> str:
    """Escaped, at most `limit` characters, cut between words (never inside an entity), `…` where cut."""
    chunks = mrkdwn_chunks(" ".join(text.split()), limit - 1)
    if not chunks:
        return ""
    return chunks[0] + ("…" if len(chunks) > 1 else "")


def alert_list_blocks(alerts: KickoffAlerts) -> list[Block]:
    """`*Alerts* (12)`, one line per alert shown, and "and N more" for the rest."""
    lines: list[str] = []
    budget = SECTION_TEXT_LIMIT - 200
    for alert in alerts.shown:
        summary = f": {clip(alert.summary, _SUMMARY_LIMIT)}" if alert.summary else ""
        line = f"{_STATUS.get(alert.status, ':grey_question:')} *{clip(alert.name, _NAME_LIMIT)}*{summary}"
        if len("\n".join([*lines, line])) > budget:
            break
        lines.append(line)
    more = alerts.total - len(lines)
    if more > 0:
        lines.append(f"_and {more} more_")
    if alerts.truncated:
        lines.append(f"_and {alerts.truncated} more alerts the sender did not send_")
    head = f"*Alerts* ({alerts.total})"
    return [section(head + "\n" + "\n".join(lines), block_id="kickoff.alerts")]


def unassigned_blocks(incident: IncidentSnapshot) -> list[Block]:
    """The prompt on an alert-born kick-off nobody leads yet, with the button that takes command."""
    text = (
        "*No Incident Commander yet.* Alerts declared this incident and nobody leads it: "
        "whoever takes it coordinates, delegates and decides."
    )
    claim = button("I'm the IC", CLAIM_COMMAND, value=str(incident.number), style="primary")
    return [section(text, block_id="kickoff.unassigned"), actions(claim, block_id="kickoff.claim")]


def alert_note_message(incident: IncidentSnapshot, note: AlertNote) -> Message:
    """One note per burst of alert changes: `3 more alerts, 2 resolved`, and "all alerts resolved" once."""
    label = incident_label(incident.number)
    summary = note_summary(note)
    lines = [f":bell: *{summary}* on {label}'s alerts · {note.firing_now} firing now"]
    if note.names:
        lines.append("Alerts: " + ", ".join(clip(name, 80) for name in note.names))
    blocks: list[Block] = [section("\n".join(lines), block_id="alerts.note")]
    text = f"{label}: {summary}"
    if note.all_resolved and note.last_resolved_at is not None:
        resolved = all_resolved_text(note.last_resolved_at)
        blocks.append(section(resolved, block_id="alerts.all_resolved"))
        blocks.append(context("Firebell never mitigates or resolves an incident by itself."))
        text = f"{label}: all alerts resolved"
    return Message(text=text, blocks=blocks)


def all_resolved_text(at: datetime) -> str:
    """`All alerts resolved at 14:03; consider /incident mitigate`."""
    return (
        f":white_check_mark: *All alerts resolved* at {date_token(at, fmt='{time}')}; "
        "consider `/incident mitigate` (or `/incident resolve` if the fix holds)."
    )
