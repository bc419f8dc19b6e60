"""Atlassian Statuspage's vocabulary, which status-page readers (and their widgets and monitors) already know.

The values are Statuspage's own (`summary.json` uses them): components are operational, degraded_performance,
partial_outage, major_outage or under_maintenance; an incident is investigating, identified, monitoring or
resolved; a maintenance is scheduled, in_progress or completed; the page's indicator is none, minor, major,
critical or maintenance.
"""

from enum import StrEnum


class ComponentStatus(StrEnum):
    """How one component is doing, as the public sees it."""

    OPERATIONAL = "operational"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"
    UNDER_MAINTENANCE = "under_maintenance"

    @property
    def label(self) -> str:
        """As a reader sees it: "Degraded performance"."""
        return _COMPONENT_LABELS[self]

    @property
    def impact(self) -> int:
        """0 (operational) to 3 (major outage); maintenance ranks between degraded and partial outage when
        components are compared, but a day in maintenance is not counted as an outage."""
        return _COMPONENT_IMPACT[self]


_COMPONENT_LABELS = {
    ComponentStatus.OPERATIONAL: "Operational",
    ComponentStatus.DEGRADED_PERFORMANCE: "Degraded performance",
    ComponentStatus.PARTIAL_OUTAGE: "Partial outage",
    ComponentStatus.MAJOR_OUTAGE: "Major outage",
    ComponentStatus.UNDER_MAINTENANCE: "Under maintenance",
}
_COMPONENT_IMPACT = {
    ComponentStatus.OPERATIONAL: 0,
    ComponentStatus.UNDER_MAINTENANCE: 0,
    ComponentStatus.DEGRADED_PERFORMANCE: 1,
    ComponentStatus.PARTIAL_OUTAGE: 2,
    ComponentStatus.MAJOR_OUTAGE: 3,
}
# Worst first when two statuses meet on one component: an outage during maintenance is still an outage.
_SEVERITY_ORDER = (
    ComponentStatus.MAJOR_OUTAGE,
    ComponentStatus.PARTIAL_OUTAGE,
    ComponentStatus.DEGRADED_PERFORMANCE,
    ComponentStatus.UNDER_MAINTENANCE,
    ComponentStatus.OPERATIONAL,
)


def worst(statuses: "list[ComponentStatus] | tuple[ComponentStatus, ...]") -> ComponentStatus:
    """The worst of several statuses of one component (operational when there are none)."""
    for status in _SEVERITY_ORDER:
        if status in statuses:
            return status
    return ComponentStatus.OPERATIONAL


class PublicStatus(StrEnum):
    """Where a public incident stands, as its updates say."""

    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        """As a reader sees it: "Investigating"."""
        return self.value.capitalize()


class MaintenanceStatus(StrEnum):
    """Where a maintenance window stands (Statuspage's scheduled_maintenances)."""

    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        """As a reader sees it: "In progress"."""
        return self.value.replace("_", " ").capitalize()


class Indicator(StrEnum):
    """The whole page's status (summary.json's `status.indicator`)."""

    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"
    MAINTENANCE = "maintenance"

    @property
    def description(self) -> str:
        """The banner text, as Statuspage words it."""
        return _INDICATOR_TEXT[self]


_INDICATOR_TEXT = {
    Indicator.NONE: "All Systems Operational",
    Indicator.MINOR: "Minor Service Outage",
    Indicator.MAJOR: "Partial System Outage",
    Indicator.CRITICAL: "Major System Outage",
    Indicator.MAINTENANCE: "Service Under Maintenance",
}


def indicator_of(statuses: "list[ComponentStatus] | tuple[ComponentStatus, ...]") -> Indicator:
    """The page's indicator from its components' statuses, as Statuspage derives it."""
    if ComponentStatus.MAJOR_OUTAGE in statuses:
        return Indicator.CRITICAL
    if ComponentStatus.PARTIAL_OUTAGE in statuses:
        return Indicator.MAJOR
    if ComponentStatus.DEGRADED_PERFORMANCE in statuses:
        return Indicator.MINOR
    if ComponentStatus.UNDER_MAINTENANCE in statuses:
        return Indicator.MAINTENANCE
    return Indicator.NONE


def parse_component_status(text: str) -> ComponentStatus:
    """`partial outage`, `partial_outage`, `partial-outage` or `Partial Outage`; ValueError naming the valid ones."""
    wanted = "_".join(text.strip().lower().replace("-", " ").split())
    aliases = {"degraded": "degraded_performance", "maintenance": "under_maintenance", "ok": "operational"}
    wanted = aliases.get(wanted, wanted)
    try:
        return ComponentStatus(wanted)
    except ValueError:
        valid = ", ".join(s.value for s in ComponentStatus)
        raise ValueError(f"unknown component status {text[:40]!r}; valid: {valid}") from None


def parse_public_status(text: str) -> PublicStatus:
    """`investigating`, `identified`, `monitoring` or `resolved`; ValueError naming the valid ones."""
    try:
        return PublicStatus(text.strip().lower())
    except ValueError:
        valid = ", ".join(s.value for s in PublicStatus)
        raise ValueError(f"unknown public incident status {text[:40]!r}; valid: {valid}") from None
