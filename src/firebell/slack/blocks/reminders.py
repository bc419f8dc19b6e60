"""Overdue-update reminders: in the war room, to the IC directly, and to the announcement channel."""

from datetime import timedelta
from typing import Any

from firebell.domain.cadence import update_interval
from firebell.domain.durations import format_duration
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.naming import incident_label
from firebell.domain.policy import Policy
from firebell.slack.blocks.incident import ActionId, Message
from firebell.slack.blocks.kit import actions, button, channel_link, context, ic_mention, mention, section


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def snooze_buttons(incident: IncidentSnapshot, policy: Policy) -> list[dict[str, Any]]:
    """One "Snooze" button per policy option; the value is the number of seconds."""
    return [
        button(
            f"Snooze {format_duration(option)}",
            f"{ActionId.SNOOZE}.{int(option.total_seconds())}",
            value=str(int(option.total_seconds())),
        )
        for option in policy.cadence.snooze_options
        if option is not None
    ]


def reminder_message(incident: IncidentSnapshot, policy: Policy, payload: dict[str, Any]) -> Message:
    """The reminder for a missed status update, addressed to whoever is IC when it is sent."""
    label = incident_label(incident.number)
    silence = format_duration(timedelta(seconds=int(payload.get("silence_seconds", 0))))
    miss = int(payload.get("miss", 1))
    interval = update_interval(policy, severity=incident.severity, status=incident.status)
    cadence = f"{incident.severity} {incident.status.value}: every {format_duration(interval)}" if interval else ""
    target = payload.get("target")
    if target == "announcement":
        text = (
            f":warning: *{label}* ({incident.severity}) has had no status update for {silence}. "
            f"IC: {ic_mention(incident.commander)} · war room {channel_link(incident.channel_id)}"
        )
        return Message(text=f"{label} has had no status update for {silence}", blocks=[section(text)])
    update_button = button("Post update", ActionId.POST_UPDATE, value=str(incident.number), style="primary")
    if target == "dm":
        text = (
            f":alarm_clock: *{label}* ({channel_link(incident.channel_id)}) needs a status update: "
            f"none for {silence}. This is the {_ordinal(miss)} missed update in a row."
        )
        return Message(
            text=f"{label} needs a status update",
            blocks=[section(text), actions(update_button, block_id="reminder.actions")],
        )
    cc = ""
    deputy = incident.roles.get("deputy")
    if payload.get("mention_deputy") and deputy and deputy != incident.commander:
        cc = f" cc {mention(deputy)}"
    who = (
        mention(incident.commander)
        if incident.commander
        else "No Incident Commander yet (press *I'm the IC* on the kick-off):"
    )
    text = f":alarm_clock: {who} a status update for *{label}* is due: the last one was {silence} ago.{cc}"
    notes = [cadence] if cadence else []
    if miss > 1:
        notes.append(f"{_ordinal(miss)} missed update in a row")
    blocks = [section(text)]
    if notes:
        blocks.append(context(" · ".join(notes)))
    blocks.append(actions(update_button, *snooze_buttons(incident, policy), block_id="reminder.actions"))
    return Message(text=f"{label}: a status update is due", blocks=blocks)


def snoozed_message(incident: IncidentSnapshot, *, actor: str, duration: timedelta) -> Message:
    """What the reminder turns into once someone snoozes it."""
    text = (
        f":zzz: Update reminders for *{incident_label(incident.number)}* snoozed for "
        f"{format_duration(duration)} by {mention(actor)}."
    )
    return Message(text=text, blocks=[section(text)])
