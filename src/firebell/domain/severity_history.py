"""An incident's severity over time, read from its timeline: where it started, each change, its peak. Pure."""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import NamedTuple

from firebell.domain.timeline import BY_TIME, EventKind, TimelineEntry


class SeverityStep(NamedTuple):
    """The severity an incident had from `at` on, and who set it (None: Firebell)."""

    at: datetime
    severity: str
    actor: str | None


def severity_history(timeline: Sequence[TimelineEntry]) -> list[SeverityStep]:
    """The declared severity, then each recorded change, oldest first (empty when nothing was recorded)."""
    steps: list[SeverityStep] = []
    for entry in sorted(timeline, key=BY_TIME):
        if entry.kind is EventKind.DECLARED and not steps and entry.data.get("severity"):
            steps.append(SeverityStep(entry.at, str(entry.data["severity"]), entry.actor))
        elif entry.kind is EventKind.SEVERITY_CHANGED and entry.data.get("to"):
            if not steps and entry.data.get("from"):  # a timeline without its declare: the level it left
                steps.append(SeverityStep(entry.at, str(entry.data["from"]), None))
            steps.append(SeverityStep(entry.at, str(entry.data["to"]), entry.actor))
    return steps


def peak_severity(history: Sequence[SeverityStep], current: str, rank: Callable[[str], int]) -> str:
    """The most severe level the incident ever had (`rank` is 0 for the most severe); the earliest on a tie."""
    candidates = [step.severity for step in history] or [current]
    return min(candidates, key=rank)
