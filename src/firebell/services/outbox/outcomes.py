"""What a deliverer hands back for a claimed effect: Delivered, Retry or Failed, and how retries back off."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from firebell.domain.incident import IncidentSnapshot


@dataclass(frozen=True)
class Job:
    """A claimed outbox row, detached from the session."""

    id: int
    kind: str
    lane: str
    incident_id: int | None
    payload: dict[str, Any]
    idem_key: str
    attempts: int
    uncertain: bool
    created_at: datetime
    incident: IncidentSnapshot | None = None  # the incident as it was when the effect was claimed
    urgency: int = 0  # lower is more urgent (Urgency)


@dataclass(frozen=True)
class Delivered:
    """Done; `incident` holds columns to store on the incident (channel_id, kickoff_ts, ...)."""

    incident: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Retry:
    """Try again after `after` seconds; `uncertain` when the far side may have acted on the failed attempt."""

    error: str
    after: float | None = None
    uncertain: bool = False
    payload: dict[str, Any] | None = None
    alarm: bool = False  # needs a person (a revoked token, a missing scope): logged as an error
    # Set when the far side said "too many calls to this method" (in this channel): the deliverer holds
    # the method back.
    rate_limited: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class Failed:
    """Permanently failed: the far side refused in a way a retry cannot fix."""

    error: str


Outcome = Delivered | Retry | Failed


def backoff_delay(attempts: int, *, cap: float, jitter: float) -> float:
    """Exponential backoff: 0.5 s, 1 s, 2 s, ... up to `cap`, scaled by `jitter` (about 0.8-1.2)."""
    return float(min(cap, 0.5 * 2.0 ** max(attempts - 1, 0)) * jitter)
