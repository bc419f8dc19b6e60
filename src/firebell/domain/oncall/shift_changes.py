"""Handoffs: where who is on call changes, and who comes on and goes off there."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ShiftChange:
    """At `at`, `incoming` came on call and `outgoing` went off (either may be empty, not both)."""

    at: datetime
    incoming: tuple[str, ...]
    outgoing: tuple[str, ...]


def latest_change(spans: Sequence[tuple[datetime, datetime, Sequence[str]]], now: datetime) -> ShiftChange | None:
    """The change that began the stretch on call at `now`, from sorted (start, end, people) spans: walk back
    from the span holding `now` over spans with the same people, to the first one whose people differ. None
    when no span holds `now` or no earlier span differs (the stretch began before what the spans show)."""
    current = next((i for i, (lo, hi, _) in enumerate(spans) if lo <= now < hi), None)
    if current is None:
        return None
    people = set(spans[current][2])
    index = current
    while index > 0 and spans[index - 1][1] == spans[index][0] and set(spans[index - 1][2]) == people:
        index -= 1
    if index == 0:
        return None
    start = spans[index][0]
    before: Sequence[str] = spans[index - 1][2] if spans[index - 1][1] == start else ()
    incoming = tuple(u for u in dict.fromkeys(spans[current][2]) if u not in before)
    outgoing = tuple(u for u in dict.fromkeys(before) if u not in people)
    if not incoming and not outgoing:
        return None
    return ShiftChange(start, incoming, outgoing)
