"""Triage of an alert group, as pure rules: what a group shows, which decisions still apply, and what counts
declines of alike groups together.

A group below its source's declare rule is triaged by people: declared as an incident, attached to an open
one, declined (with a reason) or acknowledged (someone is looking, no incident yet).
"""

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from firebell.domain.naming import incident_label


class TriageAction(StrEnum):
    """The buttons of a triage message."""

    DECLARE = "declare"
    ATTACH = "attach"
    DECLINE = "decline"
    ACKNOWLEDGE = "acknowledge"


class DeclineReason(StrEnum):
    """Why alerts were declined; counted per reason for alike groups (same source and alert names)."""

    NOISE = "noise"
    DUPLICATE = "duplicate"
    EXPECTED = "expected"
    KNOWN = "known"

    @property
    def description(self) -> str:
        """What the reason means, as the decline form explains it."""
        return _REASONS[self]


_REASONS = {
    DeclineReason.NOISE: "Not a real problem: the alert needs tuning",
    DeclineReason.DUPLICATE: "Another alert or incident covers it",
    DeclineReason.EXPECTED: "Planned work or known behaviour caused it",
    DeclineReason.KNOWN: "A known issue, tracked elsewhere",
}

# How far back declines of alike groups are counted on a triage message.
DECLINE_WINDOW = timedelta(days=7)
MAX_NOTE = 300  # a decline's optional note


@dataclass(frozen=True)
class TriageAlert:
    """One alert as the triage message lists it (untrusted text: the builder escapes it)."""

    name: str
    status: str  # firing | resolved
    labels: Mapping[str, object]
    annotations: Mapping[str, object]
    generator_url: str | None = None
    silence_url: str | None = None
    dashboard_url: str | None = None


@dataclass(frozen=True)
class TriageState:
    """Everything a triage message shows, read from the store when the message is rendered."""

    group_id: int
    source: str
    service: str | None
    severity: str | None
    title: str | None
    status: str  # open | closed
    firing: int
    resolved: int
    alerts: list[TriageAlert] = field(default_factory=list)  # firing first; maybe fewer than firing + resolved
    closed_at: datetime | None = None
    truncated_alerts: int = 0
    notification_reason: str | None = None
    external_url: str | None = None
    decision: str | None = None
    reason: str | None = None
    note: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    incident_number: int | None = None
    incident_channel_id: str | None = None
    declined_before: Mapping[str, int] = field(default_factory=dict)  # reason -> alike groups declined lately

    @property
    def total(self) -> int:
        """How many alerts the group holds."""
        return self.firing + self.resolved


def alert_set_of(source: str, names: Iterable[str]) -> str:
    """A stable key for a source and a set of alert names: groups with the same key are alike."""
    joined = "\n".join(sorted(set(names)))
    return hashlib.sha256(f"{source}\n{joined}".encode()).hexdigest()


def refusal(
    action: TriageAction,
    *,
    decision: str | None,
    incident_number: int | None,
    status: str,
) -> str | None:
    """Why `action` no longer applies to a group in this state (None: it does)."""
    if incident_number is not None:
        how = "declared as" if decision == "declared" else "attached to"
        return f"These alerts are already {how} {incident_label(incident_number)}; follow them there."
    if action is TriageAction.DECLINE and decision == "declined":
        return "These alerts were already declined; declare or attach them if that changed."
    if action is TriageAction.ACKNOWLEDGE:
        if decision == "acknowledged":
            return "Someone is already looking at these alerts; declare, attach or decline them instead."
        if decision == "declined":
            return "These alerts were declined; declare or attach them if that changed."
        if status == "closed":
            return "All these alerts have resolved; decline them, or declare them if they still need work."
    return None


def available_actions(state: TriageState) -> list[TriageAction]:
    """The buttons a triage message in this state offers, in order."""
    return [
        action
        for action in TriageAction
        if refusal(action, decision=state.decision, incident_number=state.incident_number, status=state.status) is None
    ]
