"""An incident's key durations: detect, mitigate, resolve and customer impact, from the impact start when
it is known (else from the declare, and the draft says so). Pure."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from firebell.domain.incident import IncidentSnapshot


@dataclass(frozen=True)
class KeyTimes:
    """Durations measured from `start` (the impact start when known, else the declare)."""

    start: datetime
    start_is_impact: bool
    time_to_detect: timedelta | None
    time_to_mitigate: timedelta | None
    time_to_resolve: timedelta | None
    impact_duration: timedelta | None

    @property
    def measured_from(self) -> str:
        """Which start the durations count from, in words."""
        return "impact start" if self.start_is_impact else "declare (impact start not recorded)"


def key_times(incident: IncidentSnapshot, impact_started_at: datetime | None) -> KeyTimes:
    """Time to detect (impact start to declare), to mitigate and to resolve, and how long customers were
    affected (until mitigation, which is when the impact ended), from the impact start when known."""
    start = impact_started_at or incident.declared_at
    mitigated = incident.mitigated_at
    return KeyTimes(
        start=start,
        start_is_impact=impact_started_at is not None,
        time_to_detect=incident.declared_at - impact_started_at if impact_started_at else None,
        time_to_mitigate=mitigated - start if mitigated else None,
        time_to_resolve=incident.resolved_at - start if incident.resolved_at else None,
        impact_duration=mitigated - start if mitigated else None,
    )
