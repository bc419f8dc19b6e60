"""What only the person who asked sees: acknowledgements, errors, status, timeline, list and help."""

from datetime import datetime

from firebell.domain.cadence import CadenceReport
from firebell.domain.durations import format_duration
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.naming import incident_label
from firebell.domain.policy import Policy
from firebell.domain.timeline import EventKind, TimelineEntry
from firebell.slack.blocks.incident import Message, status_label, summary_blocks
from firebell.slack.blocks.kit import Block, channel_link, context, date_token, header, ic_mention, mention, section
from firebell.slack.grammar import USAGE
from firebell.slack.mrkdwn import escape_mrkdwn, truncate

MAX_TIMELINE_LINES = 25


def error_reply(message: str) -> Message:
    """A problem with what the user asked, and how to do it right. The message is escaped."""
    text = f":warning: {escape_mrkdwn(message)}"
    return Message(text=text, blocks=[section(text)])


def declared_reply(incident: IncidentSnapshot) -> Message:
    """The instant answer to a declare: recorded, and the war room is on its way."""
    label = incident_label(incident.number)
    text = (
        f":fire: Declared *{label}* ({incident.severity}): {escape_mrkdwn(incident.title)}. "
        f"You are {'the Incident Commander' if incident.commander == incident.declared_by else 'the declarer'}; "
        "setting up the war room now."
    )
    return Message(text=text, blocks=[section(text)])


def war_room_ready_reply(incident: IncidentSnapshot) -> Message:
    """Sent once the war-room channel exists."""
    text = (
        f":white_check_mark: *{incident_label(incident.number)}* war room is ready: {channel_link(incident.channel_id)}"
    )
    return Message(text=text, blocks=[section(text)])


def war_room_failed_reply(incident: IncidentSnapshot, error: str, *, retrying: bool) -> Message:
    """Sent when Slack refuses to create the war room."""
    then = (
        "Firebell keeps trying every minute; ask your Slack admin to fix it."
        if retrying
        else f"Ask your Slack admin, then run `firebell outbox retry --incident {incident.number}`."
    )
    text = (
        f":x: *{incident_label(incident.number)}* is recorded, but Slack refused to create its war room "
        f"(`{escape_mrkdwn(error)}`). {then}"
    )
    return Message(text=text, blocks=[section(text)])


def confirmation(text: str) -> Message:
    """A short ephemeral confirmation built by Firebell (text must already be safe)."""
    return Message(text=text, blocks=[section(text)])


def _cadence_line(incident: IncidentSnapshot, report: CadenceReport, *, now: datetime) -> str:
    due = incident.next_update_due_at
    if due is None:
        head = "No update cadence running"
    elif due <= now:
        head = f"Next update due: *overdue* by {format_duration(now - due)}"
    else:
        head = f"Next update due {date_token(due, fmt='{time}')} (in {format_duration(due - now)})"
    return (
        f"{head}. Updates on time: {report.updates_on_time} of {report.updates_due} due; "
        f"longest silence {format_duration(report.longest_silence)}."
    )


def status_reply(incident: IncidentSnapshot, policy: Policy, *, now: datetime, report: CadenceReport) -> Message:
    """The ephemeral summary for `/incident status`."""
    label = incident_label(incident.number)
    roles = "\n".join(f"• {role}: {mention(user)}" for role, user in incident.roles.items()) or "• none"
    times = [f"Declared {date_token(incident.declared_at)} ({format_duration(now - incident.declared_at)} ago)"]
    if incident.mitigated_at:
        times.append(f"mitigated after {format_duration(incident.mitigated_at - incident.declared_at)}")
    if incident.resolved_at:
        times.append(f"resolved after {format_duration(incident.resolved_at - incident.declared_at)}")
    blocks: list[Block] = [
        *summary_blocks(incident, policy),
        section(f"*Roles*\n{roles}"),
        section(_cadence_line(incident, report, now=now)),
        context("; ".join(times)),
    ]
    return Message(text=f"{label} status: {incident.status.value}", blocks=blocks)


def _timeline_line(entry: TimelineEntry) -> str:
    when = date_token(entry.at, fmt="{time_secs}")
    who = mention(entry.actor) if entry.actor else "Firebell"
    data = entry.data
    if entry.kind is EventKind.COMMANDER_CHANGED:
        what = f"handed command to {mention(data.get('user'))}"
    elif entry.kind is EventKind.ROLE_ASSIGNED:
        what = f"made {mention(data.get('user'))} {escape_mrkdwn(str(data.get('role')))}"
    elif entry.kind is EventKind.PIN:
        what = f":pushpin: {escape_mrkdwn(truncate(entry.text, 300))}"
    else:
        what = escape_mrkdwn(truncate(entry.text, 300))
    return f"`{entry.kind.value}` {when} {who}: {what}"


def timeline_reply(incident: IncidentSnapshot, entries: list[TimelineEntry], *, total: int) -> Message:
    """The ephemeral recent timeline for `/incident timeline`."""
    label = incident_label(incident.number)
    lines = [_timeline_line(entry) for entry in entries]
    blocks: list[Block] = [header(f"{label} timeline")]
    chunk: list[str] = []
    for line in lines:  # pack lines into sections under the 3,000-character limit
        if sum(len(item) + 1 for item in chunk) + len(line) > 2900:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section("\n".join(chunk)))
    if total > len(entries):
        blocks.append(context(f"Showing the last {len(entries)} of {total} events."))
    return Message(text=f"{label} timeline ({total} events)", blocks=blocks[:50])


def list_reply(incidents: list[IncidentSnapshot], *, now: datetime) -> Message:
    """The ephemeral list of open incidents."""
    if not incidents:
        text = ":sunny: No open incidents."
        return Message(text=text, blocks=[section(text)])
    lines = [
        f"*{incident_label(i.number)}* {i.severity} · {status_label(i.status)} · IC {ic_mention(i.commander)} · "
        f"{format_duration(now - i.declared_at)} old · {channel_link(i.channel_id, fallback='war room pending')}\n"
        f"{escape_mrkdwn(truncate(i.title, 150))}"
        for i in incidents
    ]
    blocks: list[Block] = [header(f"Open incidents ({len(incidents)})")]
    blocks += [section(line) for line in lines[:45]]
    if len(lines) > 45:
        blocks.append(context(f"…and {len(lines) - 45} more (see the REST API: GET /api/v1/incidents)."))
    return Message(text=f"{len(incidents)} open incidents", blocks=blocks)


def help_reply(policy: Policy) -> Message:
    """Every subcommand with its syntax."""
    # Escaped: Slack reads a bare <text> as markup and would show the syntax without its placeholders.
    anywhere = "\n".join(
        f"`/incident {escape_mrkdwn(u.syntax)}`: {u.summary}" for u in USAGE if not u.in_incident_channel
    )
    in_room = "\n".join(f"`/incident {escape_mrkdwn(u.syntax)}`: {u.summary}" for u in USAGE if u.in_incident_channel)
    severities = "\n".join(
        f"*{s.name}*: {escape_mrkdwn(s.description)}"
        + (f" (updates every {format_duration(s.update_interval)})" if s.update_interval else "")
        for s in policy.severities
    )
    blocks: list[Block] = [
        header("Firebell: /incident"),
        section(f"*Anywhere*\n{anywhere}"),
        section(f"*In an incident channel*\n{in_room}"),
        section(f"*Severities*\n{severities}"),
        context("React with :pushpin: to any message in a war room to put it on the timeline."),
    ]
    return Message(text="Firebell /incident help", blocks=blocks)


def pin_recorded_reply(author: str | None) -> Message:
    """Tells the person who pinned that the message is on the timeline."""
    whose = f"{mention(author)}'s" if author else "the"
    text = f":pushpin: Added {whose} message to the timeline."
    return Message(text=text, blocks=[section(text)])
