"""Where a page stands in its escalation policy, and where it goes next. Pure: time is passed in.

A page starts at the first step of round 0. Each step waits `escalate_after`, counted from when the step
was reached on the schedule (not from when a late process noticed), then the next step is notified; after
the last step the policy starts over, `repeat` more times, then the page is exhausted (the announcement
channel is told nobody answered). After a stall across several due points, `advance` returns every step
passed through at once, so the caller notifies each person of them once, not once per missed point.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Step:
    """Who a step notifies (targets like schedule:<name> or user:<id>) and how long it waits."""

    targets: tuple[str, ...]
    wait: timedelta


@dataclass(frozen=True)
class Position:
    """A step of a round, reached at `since`."""

    round: int
    step: int
    since: datetime


@dataclass(frozen=True)
class Advance:
    """The steps reached (in order), and whether the page ran out of steps; `due` is when to look again."""

    reached: tuple[Position, ...]
    exhausted: bool
    due: datetime | None


def due_at(steps: tuple[Step, ...], position: Position) -> datetime:
    """When the step at `position` escalates if nobody acknowledges."""
    return position.since + steps[position.step].wait


def following(steps: tuple[Step, ...], repeat: int, position: Position, at: datetime) -> Position | None:
    """The step after `position`, reached at `at`; None after the last step of the last round."""
    if position.step + 1 < len(steps):
        return Position(position.round, position.step + 1, at)
    if position.round < repeat:
        return Position(position.round + 1, 0, at)
    return None


def advance(steps: tuple[Step, ...], repeat: int, position: Position, now: datetime) -> Advance:
    """Every step whose time has come by `now`, counted on the schedule from `position`."""
    reached: list[Position] = []
    current = position
    while (due := due_at(steps, current)) <= now:
        step = following(steps, repeat, current, due)
        if step is None:
            return Advance(tuple(reached), exhausted=True, due=None)
        reached.append(step)
        current = step
    return Advance(tuple(reached), exhausted=False, due=due_at(steps, current))


def escalate_now(steps: tuple[Step, ...], repeat: int, position: Position, now: datetime) -> Advance:
    """By hand (`/incident escalate`, Escalate, I can't): the next step at once; its clock starts now."""
    step = following(steps, repeat, position, now)
    if step is None:
        return Advance((), exhausted=True, due=None)
    return Advance((step,), exhausted=False, due=due_at(steps, step))
