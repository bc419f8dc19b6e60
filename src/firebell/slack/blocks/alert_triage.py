"""Block Kit for alert triage: the one message per alert group, its decline and attach forms, and the
notice in a war room that alerts were attached.

Everything that came with the alerts (names, labels, annotations, addresses) is untrusted: it is cut at a
word boundary first and escaped after (`escape_text`), so it can ping nobody and no cut breaks an entity;
links are built only from addresses checked to be http(s).
"""

import json
import re
from collections.abc import Mapping
from typing import Any

from firebell.domain.alert_triage import (
    DECLINE_WINDOW,
    MAX_NOTE,
    DeclineReason,
    TriageAction,
    TriageAlert,
    TriageState,
    available_actions,
)
from firebell.domain.durations import format_duration
from firebell.domain.naming import incident_label
from firebell.slack.blocks.incident import Message
from firebell.slack.blocks.kit import (
    SECTION_TEXT_LIMIT,
    Block,
    actions,
    button,
    channel_link,
    context,
    date_token,
    header,
    mention,
    option,
    plain,
    section,
)
from firebell.slack.mrkdwn import cut_words, escape_text

View = dict[str, Any]

MAX_SHOWN = 20  # alerts listed on the message; the rest are counted
LINE_LIMIT = 2_000  # one alert's line at most (a section holds 3,000)
ALERTS_BUDGET = 9_000  # characters of alert lines in all (Slack refuses a message above about 12,000)
_NAME, _LABEL_KEY, _LABEL_VALUE, _SUMMARY, _KEY_LABELS = 120, 40, 80, 240, 4
_MAX_URL = 1000
_SKIPPED_LABELS = frozenset({"alertname", "__name__", "severity", "service", "grafana_folder"})
_PREFERRED_LABELS = ("instance", "job", "pod", "namespace", "cluster", "host", "region")
_SAFE_URL = re.compile(r"^https?://[^\s<>|]+$", re.IGNORECASE)


class TriageActionId:
    """action_ids of the triage message's buttons (their value is the group's id)."""

    DECLARE = "alerts.declare"
    ATTACH = "alerts.attach"
    DECLINE = "alerts.decline"
    ACKNOWLEDGE = "alerts.acknowledge"


class TriageForm:
    """callback_ids of the triage forms."""

    ATTACH = "alerts.attach"
    DECLINE = "alerts.decline"


_BUTTONS = {
    TriageAction.DECLARE: ("Declare", TriageActionId.DECLARE, "primary"),
    TriageAction.ATTACH: ("Attach to incident", TriageActionId.ATTACH, None),
    TriageAction.DECLINE: ("Decline", TriageActionId.DECLINE, "danger"),
    TriageAction.ACKNOWLEDGE: ("Acknowledge", TriageActionId.ACKNOWLEDGE, None),
}


def _text(value: object, limit: int) -> str:
    """Untrusted text, cut at a word, then escaped."""
    return escape_text(cut_words(" ".join(str(value).split()), limit))


def safe_link(url: str | None, label: str) -> str | None:
    """A link to an http(s) address (escaped), or None for anything else (no scheme, javascript:, too long)."""
    if not url or len(url) > _MAX_URL or not _SAFE_URL.match(url):
        return None
    return f"<{url.replace('&', '&amp;')}|{label}>"


def _key_labels(labels: Mapping[str, object]) -> list[str]:
    names = [k for k in labels if k not in _SKIPPED_LABELS]
    ranked = sorted(names, key=lambda k: (_PREFERRED_LABELS.index(k) if k in _PREFERRED_LABELS else 99, k))
    return [f"{_text(k, _LABEL_KEY)}={_text(labels[k], _LABEL_VALUE)}" for k in ranked[:_KEY_LABELS]]


def alert_line(alert: TriageAlert) -> str:
    """One alert: status, name, key labels, summary and its links."""
    icon = ":fire:" if alert.status == "firing" else ":white_check_mark:"
    parts = [f"{icon} *{_text(alert.name, _NAME)}*"]
    labels = _key_labels(alert.labels)
    if labels:
        parts.append(", ".join(labels))
    summary = alert.annotations.get("summary") or alert.annotations.get("description")
    if summary:
        parts.append(_text(summary, _SUMMARY))
    links = [
        safe_link(alert.generator_url, "source"),
        safe_link(alert.dashboard_url, "dashboard"),
        safe_link(alert.silence_url, "silence"),
    ]
    parts.extend(link for link in links if link)
    # Whole parts are dropped from the end (links, then the summary, then labels) rather than cutting a line
    # through an entity or a link: a line always fits one section.
    while len(parts) > 1 and len(" · ".join(parts)) > LINE_LIMIT:
        parts.pop()
    return " · ".join(parts)


def _alert_sections(state: TriageState) -> list[Block]:
    blocks: list[Block] = []
    current, used, shown = "", 0, 0
    for alert in state.alerts[:MAX_SHOWN]:
        line = alert_line(alert)
        if used + len(line) > ALERTS_BUDGET:
            break
        if current and len(current) + 1 + len(line) > SECTION_TEXT_LIMIT:
            blocks.append(section(current))
            current = ""
        current = f"{current}\n{line}" if current else line
        used, shown = used + len(line) + 1, shown + 1
    if current:
        blocks.append(section(current))
    more = state.total - shown
    if more > 0:
        blocks.append(context(f"…and {more} more alert{'s' if more != 1 else ''} in this group"))
    return blocks


def _decision(state: TriageState) -> str | None:
    by = mention(state.decided_by)
    if state.incident_number is not None:
        label = incident_label(state.incident_number)
        room = channel_link(state.incident_channel_id, fallback="its war room is being set up")
        verb = "Declared as" if state.decision == "declared" else "Attached to"
        who = f" by {by}" if state.decided_by else ""
        return f":rotating_light: {verb} *{label}*{who} ({room})"
    if state.decision == "declined":
        note = f": {_text(state.note, MAX_NOTE)}" if state.note else ""
        return f":no_entry_sign: Declined as *{_text(state.reason or 'noise', 20)}* by {by}{note}"
    if state.decision == "acknowledged" and state.decided_at is not None:
        return f":eyes: {by} is looking since {date_token(state.decided_at, fmt='{time}')}"
    return None


def _declined_before(state: TriageState) -> str | None:
    counts = [(reason, n) for reason, n in sorted(state.declined_before.items(), key=lambda kv: -kv[1]) if n]
    if not counts:
        return None
    listed = ", ".join(f"{_text(reason, 20)} ×{n}" for reason, n in counts)
    window = f"{DECLINE_WINDOW.days} days" if DECLINE_WINDOW.days > 1 else format_duration(DECLINE_WINDOW)
    return f":bar_chart: Alike groups (same source and alert names) declined in the last {window}: {listed}"


def _sender(state: TriageState) -> list[str]:
    lines = []
    if state.truncated_alerts:
        n = state.truncated_alerts
        lines.append(f"…and {n} more alert{'s' if n != 1 else ''} not sent (the sender truncated the group)")
    if state.notification_reason:
        lines.append(f"Sent because: {_text(state.notification_reason, 150)}")
    link = safe_link(state.external_url, f"Open in {_text(state.source, 40)}")
    if link:
        lines.append(link)
    return lines


def triage_message(state: TriageState) -> Message:
    """The triage message of one alert group, as it stands (edited in place as alerts join or resolve)."""
    title = " ".join((state.title or (state.alerts[0].name if state.alerts else "") or "Alerts").split())
    closed = state.status == "closed"
    icon = ":white_check_mark:" if closed else (":fire:" if state.firing else ":bell:")
    counts = f"{state.firing} firing · {state.resolved} resolved"
    fields = [
        f"*Source*\n{_text(state.source, 40)}",
        f"*Service*\n{_text(state.service or 'unknown', 100)}",
        f"*Severity*\n{_text(state.severity or 'unmapped', 20)}",
        f"*Alerts*\n{counts}",
    ]
    blocks: list[Block] = [
        header(f"{'✅' if closed else '🚨'} {cut_words(title, 140)}"),
        section("*Alerts to triage*", fields=fields),
    ]
    decision = _decision(state)
    if decision:
        blocks.append(section(decision))
    if closed and state.closed_at is not None:
        blocks.append(section(f":white_check_mark: All resolved at {date_token(state.closed_at, fmt='{time}')}"))
    blocks.extend(_alert_sections(state))
    extra = [line for line in (*_sender(state), _declined_before(state)) if line]
    if extra:
        blocks.append(context(*extra))
    buttons = [
        button(text, action_id, value=str(state.group_id), style=style)
        for text, action_id, style in (_BUTTONS[a] for a in available_actions(state))
    ]
    if buttons:
        blocks.append(actions(*buttons, block_id=f"triage.{state.group_id}"))
    blocks.append(context(f"Alert group {state.group_id} · {icon} {counts}"))
    notification = f"Alerts to triage: {_text(title, 150)} ({counts})"
    return Message(text=notification, blocks=blocks)


def _form(callback_id: str, group_id: int, title: str, submit: str, blocks: list[Block]) -> View:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": json.dumps({"alert_group": str(group_id)}),
        "title": plain(title, limit=24),
        "submit": plain(submit, limit=24),
        "close": plain("Cancel"),
        "blocks": blocks,
    }


def decline_modal(group_id: int, alerts_title: str) -> View:
    """The decline form: a reason (counted) and an optional note."""
    reasons = [option(r.value.capitalize(), r.value, r.description) for r in DeclineReason]
    return _form(
        TriageForm.DECLINE,
        group_id,
        "Decline alerts",
        "Decline",
        [
            section(f"Decline *{_text(alerts_title, 200)}* (alert group {group_id}): no incident for it."),
            {
                "type": "input",
                "block_id": "reason",
                "label": plain("Why"),
                "element": {"type": "static_select", "action_id": "value", "options": reasons},
            },
            {
                "type": "input",
                "block_id": "note",
                "label": plain("Note"),
                "optional": True,
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "max_length": MAX_NOTE,
                    "placeholder": plain("e.g. the link to the known issue"),
                },
            },
        ],
    )


def attach_modal(group_id: int, incidents: list[tuple[int, str, str]]) -> View:
    """The attach form: pick one of the open incidents (number, severity, title), newest first."""
    options = [
        option(f"{incident_label(number)} · {severity} · {' '.join(title.split())}", str(number))
        for number, severity, title in incidents[:100]
    ]
    return _form(
        TriageForm.ATTACH,
        group_id,
        "Attach to incident",
        "Attach",
        [
            {
                "type": "input",
                "block_id": "incident",
                "label": plain("Open incident"),
                "element": {"type": "static_select", "action_id": "value", "options": options},
            }
        ],
    )


def alerts_attached_notice(payload: dict[str, Any]) -> Message:
    """Told in a war room: someone attached an alert group to this incident."""
    total, firing = int(payload.get("alerts", 0)), int(payload.get("firing", 0))
    what = f"{total} alert{'s' if total != 1 else ''} ({firing} firing)"
    source = _text(payload.get("source", ""), 40)
    text = (
        f":paperclip: {mention(payload.get('actor'))} attached {what} from *{source}* "
        f"(alert group {int(payload.get('group_id', 0))}) to this incident."
    )
    return Message(text=f"{total} alerts attached", blocks=[section(text)])
