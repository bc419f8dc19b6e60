"""Block Kit for an incident's key times: `/incident times`, the answer to setting one, and the war-room notice.

Times are shown in UTC text, the zone `/incident times impact 13:50` reads them in, so what people type and
what they see match.
"""

from datetime import datetime
from typing import Any

from firebell.domain.durations import format_duration
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.incident_times import TimeField, when
from firebell.domain.key_times import KeyTimes, durations_line, signed_duration
from firebell.domain.policy import Policy
from firebell.slack.blocks.incident import Message
from firebell.slack.blocks.kit import context, mention, section
from firebell.slack.mrkdwn import escape_mrkdwn, truncate

HOW_TO_SET = (
    "Set one: `/incident times impact 13:50` or `/incident times detected 20m ago` "
    "(times in UTC; also `2026-12-07 13:50`)."
)


def _at(moment: datetime | None) -> str:
    return when(moment) if moment else "not yet"


def _took(duration: Any) -> str:
    return signed_duration(duration) if duration is not None else "not yet"


def times_reply(incident: IncidentSnapshot, times: KeyTimes, *, first_alert_at: datetime | None) -> Message:
    """`/incident times`: the moments, then the durations between them, for the caller only."""
    impact = _at(times.start) if times.start_is_impact else f"not set (taken as the {times.start_word})"
    moments = [
        f"*Impact started*\n{impact}",
        f"*Detected*\n{_at(times.detected)}",
        f"*Declared*\n{_at(times.declared)}",
        f"*Mitigated*\n{_at(times.mitigated)}",
        f"*Resolved*\n{_at(times.resolved)}",
    ]
    ttd = (
        signed_duration(times.time_to_detect) if times.time_to_detect is not None else "unknown (set the impact start)"
    )
    durations = [
        f"*Time to detect* (detected − impact started)\n{ttd}",
        f"*Time to declare* (declared − detected)\n{format_duration(times.time_to_declare)}",
        f"*Time to mitigate* (from the {times.start_word})\n{_took(times.time_to_mitigate)}",
        f"*Time to resolve* (from the {times.start_word})\n{_took(times.time_to_resolve)}",
    ]
    source = f"the first linked alert started at {when(first_alert_at)}" if first_alert_at else "no alerts are linked"
    return Message(
        text=f"{incident.label} key times",
        blocks=[
            section(f":stopwatch: *{incident.label} key times* (UTC)", fields=moments),
            section("*Durations*", fields=durations),
            context(f"Detection: {source}. {HOW_TO_SET}"),
        ],
    )


def time_set_reply(
    incident: IncidentSnapshot,
    times: KeyTimes,
    field: TimeField,
    moment: datetime,
    warnings: tuple[str, ...],
    *,
    changed: bool = True,
) -> Message:
    """What `/incident times <field> <when>` did (nothing, when `changed` is False), and anything odd about it."""
    if changed:
        text = f":stopwatch: {incident.label}: {field.label.lower()} set to *{when(moment)}*."
    else:
        text = f":stopwatch: {incident.label}: {field.label.lower()} was already *{when(moment)}*; nothing changed."
    blocks = [section(text), context(escape_mrkdwn(durations_line(times)))]
    blocks += [section(f":warning: {escape_mrkdwn(warning)}") for warning in warnings]
    return Message(text=text, blocks=blocks)


def times_notice(payload: dict[str, Any], policy: Policy) -> Message:
    """Told in the war room when someone sets a key time (it changes what the postmortem will measure)."""
    change = escape_mrkdwn(truncate(str(payload.get("change", "")), 300))
    text = f":stopwatch: {mention(payload.get('actor'))}: {change}."
    blocks = [section(text)]
    if payload.get("durations"):
        blocks.append(context(escape_mrkdwn(truncate(str(payload["durations"]), 500))))
    return Message(text=text, blocks=blocks)
