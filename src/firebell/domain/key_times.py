"""An incident's key moments and the durations between them, each pair answering one question. Pure.

- time to detect = detected - impact started (how long customers were affected before anyone saw it);
- time to declare = declared - detected (how long triage took);
- time to mitigate and to resolve are counted from the impact start;
- customer impact lasted from the impact start to mitigation.

The impact start is what someone said (`/incident times impact`, or the postmortem form); until then it is
taken to be the detection time, and the durations say so.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from firebell.domain.durations import format_duration
from firebell.domain.incident import IncidentSnapshot


@dataclass(frozen=True)
class KeyTimes:
    """The moments of one incident and the durations, measured from `start` (the impact start when said)."""

    start: datetime
    start_is_impact: bool
    detected: datetime
    declared: datetime
    mitigated: datetime | None
    resolved: datetime | None

    @property
    def time_to_detect(self) -> timedelta | None:
        """Detected minus impact started; None while the impact start is not said (it would be 0 by definition).
        Negative when the detection came before customers were affected (an early-warning alert)."""
        return self.detected - self.start if self.start_is_impact else None

    @property
    def time_to_declare(self) -> timedelta:
        """Declared minus detected: how long triage took."""
        return self.declared - self.detected

    @property
    def time_to_mitigate(self) -> timedelta | None:
        """From the impact start to mitigation."""
        return self.mitigated - self.start if self.mitigated else None

    @property
    def time_to_resolve(self) -> timedelta | None:
        """From the impact start to resolution."""
        return self.resolved - self.start if self.resolved else None

    @property
    def impact_duration(self) -> timedelta | None:
        """How long customers were affected: until mitigation (when the impact ended)."""
        return self.time_to_mitigate

    @property
    def start_word(self) -> str:
        """What `start` is when the impact start is not said: the detection, or the declare (the same moment)."""
        if self.start_is_impact:
            return "impact start"
        return "declare" if self.detected == self.declared else "detection"

    @property
    def measured_from(self) -> str:
        """Which start the durations count from, in words."""
        return "impact start" if self.start_is_impact else f"{self.start_word} (impact start not recorded)"


def key_times(incident: IncidentSnapshot) -> KeyTimes:
    """The incident's key times; detection defaults to the declare (incidents from before detection was kept)."""
    detected = incident.detected_at or incident.declared_at
    said = incident.impact_started_at
    return KeyTimes(
        start=said or detected,
        start_is_impact=said is not None,
        detected=detected,
        declared=incident.declared_at,
        mitigated=incident.mitigated_at,
        resolved=incident.resolved_at,
    )


def signed_duration(delta: timedelta) -> str:
    """A duration that may be negative: `12m`, or `-5m` when the second moment came first."""
    if delta < timedelta(0):
        return f"-{format_duration(-delta)}"
    return format_duration(delta)


def durations_line(times: KeyTimes) -> str:
    """`time to detect 12m · time to declare 3m · time to mitigate 40m`: the durations known so far."""
    parts = []
    if times.time_to_detect is not None:
        parts.append(f"time to detect {signed_duration(times.time_to_detect)}")
    parts.append(f"time to declare {signed_duration(times.time_to_declare)}")
    for name, took in (("mitigate", times.time_to_mitigate), ("resolve", times.time_to_resolve)):
        if took is not None:
            parts.append(f"time to {name} {signed_duration(took)}")
    return " · ".join(parts)
