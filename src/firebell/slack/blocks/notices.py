"""Messages posted when something happens: handovers, roles, severity and status changes, updates."""

from typing import Any

from firebell.domain.durations import format_duration
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.lifecycle import Status
from firebell.domain.naming import incident_label
from firebell.domain.policy import Policy
from firebell.slack.blocks.alert_triage import alerts_attached_notice
from firebell.slack.blocks.incident import Message, status_label
from firebell.slack.blocks.kit import SECTION_TEXT_LIMIT, channel_link, context, ic_mention, mention, section
from firebell.slack.blocks.page_notices import PAGE_NOTICES
from firebell.slack.blocks.public_updates import PUBLIC_NOTICES
from firebell.slack.blocks.review import unowned_message
from firebell.slack.blocks.times import times_notice
from firebell.slack.mrkdwn import escape_mrkdwn, mrkdwn_chunks, truncate

_STATUS_VERB = {
    Status.MITIGATED: "mitigated",
    Status.RESOLVED: "resolved",
    Status.INVESTIGATING: "reopened",
    Status.CLOSED: "closed",
}


def _prefix(payload: dict[str, Any]) -> str:
    # In the announcement thread, say which incident; in the war room it is obvious.
    if payload.get("target") == "announcement_thread":
        return f"*{incident_label(int(payload['number']))}* "
    return ""


def _handover(payload: dict[str, Any], policy: Policy) -> Message:
    user, previous, actor = payload["user"], payload.get("previous"), payload.get("actor")
    # The alarm is for the war room, where the previous IC is; the announcement thread gets the plain news.
    if payload.get("taken") and previous and payload.get("target") == "room":
        return _command_taken(user=user, previous=previous, actor=actor)
    if not previous and actor == user:  # an alert-born incident nobody led: someone pressed "I'm the IC"
        text = f":handshake: {_prefix(payload)}{mention(user)} took command: now the Incident Commander."
        return Message(text=text, blocks=[section(text)])
    was = f" (was {mention(previous)})" if previous else ""
    by = f" by {mention(actor)}" if actor and actor not in (user, previous) else ""
    text = f":handshake: {_prefix(payload)}Command handed over{by}: {mention(user)} is now the Incident Commander{was}."
    return Message(text=text, blocks=[section(text)])


def _command_taken(*, user: str, previous: str, actor: str | None) -> Message:
    # Someone other than the IC moved command: the IC must not find out later that they no longer lead.
    who = "took command" if actor == user else f"handed command to {mention(user)}"
    text = (
        f":rotating_light: {mention(previous)}, {mention(actor)} {who}: "
        f"{mention(user)} is now the Incident Commander, not you. "
        "If that is wrong, talk to them here before taking it back."
    )
    return Message(text=text, blocks=[section(text)])


def command_taken_dm(incident: IncidentSnapshot, payload: dict[str, Any]) -> Message:
    """The direct message to an Incident Commander whose command someone else took or moved."""
    actor, new = payload.get("actor"), payload.get("new")
    who = "took command of" if actor == new else "handed command of"
    to = "" if actor == new else f" to {mention(new)}"
    text = (
        f":rotating_light: {mention(actor)} {who} *{incident.label}*{to} "
        f"({escape_mrkdwn(truncate(incident.title, 150))}). You are no longer its Incident Commander."
    )
    room = f" Talk to them in {channel_link(incident.channel_id)}."
    return Message(text=text, blocks=[section(text + room)])


def _role_assigned(payload: dict[str, Any], policy: Policy) -> Message:
    user, role, previous = payload["user"], payload["role"], payload.get("previous")
    was = f" (was {mention(previous)})" if previous else ""
    text = f":bust_in_silhouette: {mention(user)} is now *{escape_mrkdwn(role)}*{was}, assigned by {mention(payload.get('actor'))}."
    return Message(text=text, blocks=[section(text)])


def _severity_changed(payload: dict[str, Any], policy: Policy) -> Message:
    new = policy.known(payload["to"])
    arrow = ":arrow_up:" if payload.get("direction") == "raised" else ":arrow_down:"
    status = Status(payload.get("status", Status.INVESTIGATING.value))
    if not status.is_open:  # a resolved incident has no cadence, whatever its severity would ask of an open one
        cadence = f"No status updates are due: the incident is {status.value}."
    elif new.update_interval:
        cadence = f"Status updates now every *{format_duration(new.update_interval)}*."
    else:
        cadence = f"{new.name} has no fixed update cadence."
    text = (
        f"{arrow} {_prefix(payload)}Severity {payload.get('direction', 'changed')} from *{payload['from']}* "
        f"to *{new.name}* by {mention(payload.get('actor'))}."
    )
    return Message(
        text=text, blocks=[section(text), context(f"{new.name}: {escape_mrkdwn(new.description)}. {cadence}")]
    )


def _status_update(payload: dict[str, Any], policy: Policy) -> Message:
    status = Status(payload["status"])
    head = (
        f":loudspeaker: {_prefix(payload)}*Status update* · {payload['severity']} · {status_label(status)} · "
        f"IC {ic_mention(payload.get('commander'))}"
    )
    body = mrkdwn_chunks(payload["text"], SECTION_TEXT_LIMIT)
    return Message(
        text=f"Status update: {escape_mrkdwn(truncate(payload['text'], 200))}",
        blocks=[
            section(head),
            *(section(chunk) for chunk in body),
            context(f"Posted by {mention(payload.get('actor'))}"),
        ],
    )


def _status_changed(payload: dict[str, Any], policy: Policy) -> Message:
    new = Status(payload["to"])
    verb = _STATUS_VERB[new]
    note = f"\n>{escape_mrkdwn(payload['text'])}" if payload.get("text") else ""
    label = incident_label(int(payload["number"]))
    text = f"{status_label(new)}: {label} {verb} by {mention(payload.get('actor'))}.{note}"
    return Message(text=f"{label} {verb}", blocks=[section(text)])


# What people asked for, by the notice or effect that failed; and what Slack's errors mean for them.
_FAILED_WHAT = {
    "status_update": "a status update",
    "status_changed": "a status change notice",
    "post_reminder": "an update reminder",
    "post_runbook": "a runbook checklist",
    "post_postmortem": "the postmortem draft",
}
_TOO_LONG = frozenset({"msg_blocks_too_long", "invalid_blocks", "msg_too_long"})


def _delivery_failed(payload: dict[str, Any], policy: Policy) -> Message:
    failed, error = str(payload.get("failed", "")), str(payload.get("error", ""))
    if payload.get("notifier"):  # an outside notifier (webhook, ntfy, PagerDuty), not Slack
        notifier = escape_mrkdwn(truncate(str(payload["notifier"]), 60))
        event = escape_mrkdwn(truncate(str(payload.get("page_event") or "event"), 40))
        text = (
            f":warning: The notifier *{notifier}* could not deliver a page {event} for good "
            f"(`{escape_mrkdwn(truncate(error, 200))}`). Whoever relies on it was not reached that way: "
            "the Slack DM still went out; check the notifier's settings."
        )
        return Message(text=f"Notifier {notifier} failed", blocks=[section(text)])
    what = _FAILED_WHAT.get(failed, f"a message ({escape_mrkdwn(failed.replace('_', ' '))})")
    hint = (
        " It was too long for one Slack message: post it again shorter, or in parts."
        if error in _TOO_LONG
        else " It is on the timeline; post it again if people need to see it."
    )
    text = f":warning: Slack refused {what} here for good (`{escape_mrkdwn(error)}`), so it was not posted.{hint}"
    return Message(text=f"Slack refused {what}", blocks=[section(text)])


def _unowned_actions(payload: dict[str, Any], policy: Policy) -> Message:
    return unowned_message(payload)


def _alerts_attached(payload: dict[str, Any], policy: Policy) -> Message:
    return alerts_attached_notice(payload)


_RENDERERS = {
    "handover": _handover,
    "role_assigned": _role_assigned,
    "severity_changed": _severity_changed,
    "status_update": _status_update,
    "status_changed": _status_changed,
    "unowned_actions": _unowned_actions,
    "delivery_failed": _delivery_failed,
    "alerts_attached": _alerts_attached,
    "times_changed": times_notice,
    **PAGE_NOTICES,
    **PUBLIC_NOTICES,
}


def notice_message(payload: dict[str, Any], policy: Policy) -> Message:
    """Render a queued notice (its payload carries the incident's state at the time it happened)."""
    renderer = _RENDERERS.get(payload["notice"])
    if renderer is None:
        raise ValueError(f"unknown notice {payload['notice']!r}")
    return renderer(payload, policy)
