"""What an alert sender told us, parsed: one group of alerts as it stands now (never a delta)."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from firebell.domain.errors import UsageError


class AlertKind(StrEnum):
    """The webhook dialects a source can speak."""

    ALERTMANAGER = "alertmanager"  # Prometheus Alertmanager, webhook version 4
    GRAFANA = "grafana"  # Grafana unified alerting, webhook version 1
    GENERIC = "generic"  # Firebell's own small JSON shape, one alert per request


class AlertStatus(StrEnum):
    """Whether an alert (or a whole group, as the sender sees it) is firing or resolved."""

    FIRING = "firing"
    RESOLVED = "resolved"


class AlertPayloadError(UsageError):
    """A webhook body Firebell cannot take; `field` names where it is wrong (`alerts[2].startsAt`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


@dataclass(frozen=True)
class ParsedAlert:
    """One alert as the sender reports it now."""

    fingerprint: str
    status: AlertStatus
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime | None  # None: the sender did not say (0001-01-01 or absent)
    ends_at: datetime | None
    generator_url: str | None = None
    silence_url: str | None = None
    dashboard_url: str | None = None

    @property
    def name(self) -> str:
        """The alert's name (`alertname` label, else a generic alert's title, else its fingerprint)."""
        return self.labels.get("alertname") or self.annotations.get("title") or self.fingerprint


@dataclass(frozen=True)
class ParsedGroup:
    """One webhook request: a group of alerts, the sender's view of it, and what it says about itself."""

    kind: AlertKind
    status: AlertStatus
    alerts: tuple[ParsedAlert, ...]
    group_key: str | None = None  # the sender's group identity; None for generic (grouped by service)
    receiver: str | None = None
    group_labels: dict[str, str] = field(default_factory=dict)
    common_labels: dict[str, str] = field(default_factory=dict)
    truncated_alerts: int = 0  # alerts the sender left out (Alertmanager max_alerts)
    notification_reason: str | None = None  # Alertmanager >= 0.32: why this was sent
    external_url: str | None = None
    title: str | None = None  # Grafana's pre-rendered title, for display only
