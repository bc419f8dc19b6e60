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
