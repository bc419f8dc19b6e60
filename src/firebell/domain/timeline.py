"""Timeline vocabulary: what kinds of things happen during an incident."""

from datetime import datetime
from enum import StrEnum
from operator import itemgetter
from typing import Any, NamedTuple


class EventKind(StrEnum):
    """The kind of a timeline event."""

    DECLARED = "declared"
    STATUS_CHANGED = "status_changed"
    SEVERITY_CHANGED = "severity_changed"
    COMMANDER_CHANGED = "commander_changed"
    ROLE_ASSIGNED = "role_assigned"
    UPDATE = "update"
    NOTE = "note"
    PIN = "pin"
    REMINDER = "reminder"
    ESCALATION = "escalation"
    SNOOZED = "snoozed"
    ACTION_ADDED = "action_added"
    ACTION_DONE = "action_done"
    ACTION_REASSIGNED = "action_reassigned"
    ACTION_NUDGED = "action_nudged"
    POSTMORTEM = "postmortem"
    RUNBOOK_POSTED = "runbook_posted"
    RUNBOOK_STEP = "runbook_step"
    SLACK_FAILURE = "slack_failure"
    ALERT_FIRING = "alert_firing"  # one alert of a linked group fired (or fired again)
    ALERT_RESOLVED = "alert_resolved"
    ALERTS_LINKED = "alerts_linked"  # an alert group was declared from or attached to the incident
    TIMES_CHANGED = "times_changed"  # someone set when impact started or when it was detected
    TRIAGE = "triage"  # a triage decision about a linked group (declined, acknowledged) worth keeping
    PAGED = "paged"  # a page started (by hand, by a declare or by an alert), with its target and reason
    PAGE_NOTIFIED = "page_notified"  # the people of one step were notified (one event per step reached)
    PAGE_ACKNOWLEDGED = "page_acknowledged"  # one per person who acknowledged
    PAGE_DECLINED = "page_declined"  # someone pressed I can't: the next step is notified at once
    PAGE_ESCALATED = "page_escalated"  # escalated by hand (/incident escalate, Escalate)
    PAGE_UNREACHABLE = "page_unreachable"  # Slack refused a page DM (deactivated, cannot_dm_bot)
    PAGE_HELD = "page_held"  # the service is in maintenance: nobody is paged until the window ends
    PAGE_RESUMED = "page_resumed"  # the maintenance window ended: paging resumed
    PAGE_UNANSWERED = "page_unanswered"  # every round ran out; the announcement channel was told
    PAGE_ENDED = "page_ended"  # the incident was resolved: pending notifications are not sent
    PAGE_RETARGETED = "page_retargeted"  # the service's escalation policy changed: the page follows the new one
    PUBLIC_UPDATE_DRAFTED = "public_update_drafted"  # a public update awaits the IC's approval
    PUBLIC_UPDATE_PUBLISHED = "public_update_published"  # a public update reached the status page
    PUBLIC_UPDATE_REJECTED = "public_update_rejected"  # the IC turned a draft down (with why)
    PUBLIC_UPDATE_DUE = "public_update_due"  # the public cadence: the status page has not heard for too long


class TimelineEntry(NamedTuple):
    """One event as people read it: when, what kind, who, and what was said or done.

    A NamedTuple rather than a frozen dataclass: as immutable, and several times cheaper to build,
    which matters for an incident with tens of thousands of events.
    """

    at: datetime
    kind: EventKind
    actor: str | None
    text: str
    data: dict[str, Any]


# Sort key for entries by time: a C-level getter of the first field, several times cheaper than a lambda
# over tens of thousands of entries.
BY_TIME = itemgetter(0)
