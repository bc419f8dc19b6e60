"""A read-only picture of an incident, as renderers and policies need it."""

from dataclasses import dataclass, field
from datetime import datetime

from firebell.domain.lifecycle import Status
from firebell.domain.naming import incident_label


@dataclass(frozen=True)
class IncidentSnapshot:
    """An incident at one moment: what the renderers and cadence rules read."""

    id: int
    number: int
    title: str
    severity: str
    status: Status
    declared_by: str | None  # None: declared by an alert source's declare rule (`declared_from`)
    declared_at: datetime
    roles: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    customer_impact: str | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    channel_id: str | None = None
    channel_name: str | None = None
    kickoff_ts: str | None = None
    announcement_channel_id: str | None = None
    announcement_ts: str | None = None
    last_update_at: datetime | None = None
    next_update_due_at: datetime | None = None
    missed_updates: int = 0
    detected_at: datetime | None = None
    impact_started_at: datetime | None = None  # None: not said; taken to be the detection time
    declared_from: str | None = None  # the alert source whose declare rule declared it (no declarer)
    service: str | None = None  # the service affected (a name from the policy's `services`)
    acknowledged_at: datetime | None = None  # the first acknowledgement of its first page (MTTA)

    @property
    def label(self) -> str:
        """`INC-42`."""
        return incident_label(self.number)

    @property
    def commander(self) -> str | None:
        """The Incident Commander's Slack user id; None while an alert-born incident has nobody in command."""
        return self.roles.get("commander", self.declared_by)

    @property
    def declarer_text(self) -> str:
        """Who declared it, as plain words for a renderer that has no mention: the source for an alert-born one."""
        return f"declared from alerts ({self.declared_from or 'an alert source'})"
