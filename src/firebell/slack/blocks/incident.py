"""Block Kit for the messages that show an incident: kick-off, announcement, topic and notices."""

from dataclasses import dataclass, field
from typing import Any

from firebell.domain.durations import format_duration
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.lifecycle import Action, Status, allowed_actions
from firebell.domain.naming import incident_label
from firebell.domain.policy import Policy
from firebell.slack.blocks.kit import (
    Block,
    actions,
    button,
    channel_link,
    confirm_dialog,
    context,
    date_token,
    declarer_text,
    header,
    ic_mention,
    mention,
    section,
)
from firebell.slack.mrkdwn import escape_mrkdwn, truncate

STATUS_EMOJI = {
    Status.INVESTIGATING: ":mag:",
    Status.MITIGATED: ":adhesive_bandage:",
    Status.RESOLVED: ":white_check_mark:",
    Status.CLOSED: ":lock:",
}
TOPIC_LIMIT = 250


class ActionId:
    """action_ids of the buttons Firebell puts on messages."""

    POST_UPDATE = "incident.post_update"
    CHANGE_SEVERITY = "incident.change_severity"
    MITIGATE = "incident.mitigate"
    RESOLVE = "incident.resolve"
    REOPEN = "incident.reopen"
    OPEN_WAR_ROOM = "incident.open_war_room"
    SNOOZE = "incident.snooze"  # suffixed with the seconds, e.g. incident.snooze.900
    PUBLIC_UPDATE = "incident.public_update"  # opens the public update form (slack/listeners/public_updates.py)


@dataclass(frozen=True)
class Message:
    """A message as chat.postMessage takes it: notification text plus blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def as_args(self) -> dict[str, Any]:
        """Keyword arguments for chat.postMessage / chat.update."""
        return {"text": self.text, "blocks": self.blocks}


def status_label(status: Status) -> str:
    """`:mag: Investigating`."""
    return f"{STATUS_EMOJI[status]} {status.value.capitalize()}"


def _title(incident: IncidentSnapshot) -> str:
    return escape_mrkdwn(incident.title)


def _cadence_line(incident: IncidentSnapshot, policy: Policy) -> str:
    interval = policy.known(incident.severity).update_interval
    if interval is None:
        return f"{incident.severity} has no fixed update cadence: post updates when something changes."
    return f"Post a status update at least every *{format_duration(interval)}* with `/incident update &lt;text&gt;`."


def _roles_line(incident: IncidentSnapshot) -> str:
    others = [f"{role}: {mention(user)}" for role, user in incident.roles.items() if role != "commander"]
    return " · ".join(others) if others else "No other roles yet: `/incident role deputy @someone`"


@dataclass(frozen=True)
class _LifecycleButton:
    label: str
    action_id: str
    confirm_title: str  # with {label}
    confirm_text: str
    confirm_ok: str
    style: str | None = None


# How each lifecycle action looks as a button. Which ones a kick-off shows comes from the lifecycle's
# transition table; closing the review is a command (`/incident close`), so it has no button.
_LIFECYCLE_BUTTONS = {
    Action.MITIGATE: _LifecycleButton(
        "Mitigate", ActionId.MITIGATE, "Mark {label} mitigated?", "Customer impact has stopped.", "Mitigated"
    ),
    Action.RESOLVE: _LifecycleButton(
        "Resolve", ActionId.RESOLVE, "Resolve {label}?", "The incident is over and the fix holds.", "Resolve", "danger"
    ),
    Action.REOPEN: _LifecycleButton(
        "Reopen", ActionId.REOPEN, "Reopen {label}?", "The problem is back: this returns it to investigating.", "Reopen"
    ),
}


def _lifecycle_buttons(incident: IncidentSnapshot) -> list[dict[str, Any]]:
    value = str(incident.number)
    label = incident_label(incident.number)
    elements = []
    if incident.status.is_open:
        elements += [
            button("Post update", ActionId.POST_UPDATE, value=value, style="primary"),
            button("Change severity", ActionId.CHANGE_SEVERITY, value=value),
            button("Public update", ActionId.PUBLIC_UPDATE, value=value),
        ]
    for action in allowed_actions(incident.status):
        spec = _LIFECYCLE_BUTTONS.get(action)
        if spec is None:
            continue
        confirm = confirm_dialog(spec.confirm_title.format(label=label), spec.confirm_text, spec.confirm_ok)
        elements.append(button(spec.label, spec.action_id, value=value, style=spec.style, confirm=confirm))
    return elements


def summary_blocks(
    incident: IncidentSnapshot, policy: Policy, *, extra_fields: tuple[str, ...] = (), block_id: str | None = None
) -> list[Block]:
    """The title, the severity with its definition, the status and the IC: how every summary opens."""
    severity = policy.known(incident.severity)
    return [
        header(f"{incident_label(incident.number)}: {incident.title}"),
        section(
            f"*{severity.name}*: {escape_mrkdwn(severity.description)}",
            fields=[
                f"*Status*\n{status_label(incident.status)}",
                f"*Incident Commander*\n{ic_mention(incident.commander)}",
                *extra_fields,
            ],
            block_id=block_id,
        ),
    ]


def kickoff_message(
    incident: IncidentSnapshot,
    policy: Policy,
    *,
    suggestions: list[Block] | None = None,
    alerts: list[Block] | None = None,
    unassigned: list[Block] | None = None,
) -> Message:
    """The pinned first message of a war room: what, how bad, who leads, what happens next, and buttons.
    An alert-born one lists its alerts (`alerts`) and, while nobody leads it, offers "I'm the IC" (`unassigned`)."""
    severity = policy.known(incident.severity)
    label = incident_label(incident.number)
    blocks = summary_blocks(
        incident,
        policy,
        extra_fields=(
            f"*Declared by*\n{declarer_text(incident.declared_by, incident.declared_from)}",
            f"*Declared*\n{date_token(incident.declared_at)}",
            *_service_field(incident),
        ),
        block_id="kickoff.summary",
    )
    if incident.description:
        blocks.append(section(f"*Description*\n{escape_mrkdwn(truncate(incident.description, 2800))}"))
    if incident.customer_impact:
        blocks.append(section(f"*Customer impact*\n{escape_mrkdwn(truncate(incident.customer_impact, 2800))}"))
    blocks.extend(alerts or [])
    if incident.status.is_open and incident.commander is None:
        blocks.extend(unassigned or [])
    if incident.status.is_open:
        blocks.append(
            section(
                "*What happens next*\n"
                f"1. {ic_mention(incident.commander) if incident.commander else 'The IC (nobody yet)'} leads: coordinates, delegates and decides. The IC does not debug.\n"
                "2. Mitigate first, investigate after: stop the customer impact, then find the cause.\n"
                f"3. {_cadence_line(incident, policy)}\n"
                "4. React with :pushpin: to any message here to put it on the timeline.",
                block_id="kickoff.next",
            )
        )
    if incident.status.is_open and suggestions:
        blocks.extend(suggestions)
    blocks.append(context(_roles_line(incident)))
    buttons = _lifecycle_buttons(incident)
    if buttons:
        blocks.append(actions(*buttons, block_id="kickoff.actions"))
    text = f"{label} ({severity.name}): {_title(incident)}. IC: {ic_mention(incident.commander)}"
    return Message(text=text, blocks=blocks)


def announcement_message(incident: IncidentSnapshot, policy: Policy) -> Message:
    """The announcement-channel post, kept current as severity, status and IC change."""
    severity = policy.known(incident.severity)
    label = incident_label(incident.number)
    room = channel_link(incident.channel_id, fallback=f"#{incident.channel_name or 'war room pending'}")
    blocks: list[Block] = [
        section(
            f":rotating_light: *{label}* ({severity.name}) {_title(incident)}",
            fields=[
                f"*Status*\n{status_label(incident.status)}",
                f"*Incident Commander*\n{ic_mention(incident.commander)}",
                f"*Severity*\n{severity.name}: {escape_mrkdwn(truncate(severity.description, 150))}",
                f"*War room*\n{room}",
                *_service_field(incident),
            ],
            block_id="announcement.summary",
        ),
        context(f"Declared {date_token(incident.declared_at)} {_by(incident)}. Updates are posted in this thread."),
    ]
    text = f"{label} ({severity.name}) {_title(incident)}: {incident.status.value}"
    return Message(text=text, blocks=blocks)


def _service_field(incident: IncidentSnapshot) -> tuple[str, ...]:
    """The `Service` field of a summary, when the incident names one."""
    return (f"*Service*\n{escape_mrkdwn(incident.service)}",) if incident.service else ()


def _by(incident: IncidentSnapshot) -> str:
    if incident.declared_by is None:
        return f"({declarer_text(None, incident.declared_from)})"
    return f"by {mention(incident.declared_by)}"


def topic_text(incident: IncidentSnapshot) -> str:
    """The war room's topic: severity, status and IC at a glance (at most 250 characters)."""
    ic = mention(incident.commander) if incident.commander else "unassigned"  # a topic is plain text
    head = f"{incident.severity} | {incident.status.value.capitalize()} | IC: {ic} | "
    room = TOPIC_LIMIT - len(head)
    cut = room
    title = escape_mrkdwn(truncate(incident.title, cut))
    while len(title) > room and cut > 1:  # escaping lengthened it: cut the raw title, never an entity
        cut = max(1, cut - (len(title) - room))
        title = escape_mrkdwn(truncate(incident.title, cut))
    return head + title
