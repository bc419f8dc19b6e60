"""On-call: who is responsible for a schedule at an instant, computed from its rotation layers, their
restrictions, temporary schedules and overrides. Pure: time is passed in, nothing is read or written."""

from firebell.domain.oncall.restrictions import Restriction, parse_restriction
from firebell.domain.oncall.rotation import Anchor, Handoff, Layer, Period, parse_handoff, parse_period, reanchor
from firebell.domain.oncall.schedule import OnCall, Override, Schedule, Temporary, on_call_at, shifts
from firebell.domain.oncall.spans import Span

__all__ = [
    "Anchor",
    "Handoff",
    "Layer",
    "OnCall",
    "Override",
    "Period",
    "Restriction",
    "Schedule",
    "Span",
    "Temporary",
    "on_call_at",
    "parse_handoff",
    "parse_period",
    "parse_restriction",
    "reanchor",
    "shifts",
]
