"""Who held which incident role, and from when to when, read from the timeline. Pure."""

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from firebell.domain.timeline import BY_TIME, EventKind, TimelineEntry


class RoleHeld(NamedTuple):
    """`user` held `role` from `since` until `until` (None: still holds it)."""

    role: str
    user: str
    since: datetime
    until: datetime | None


def role_history(timeline: Sequence[TimelineEntry]) -> list[RoleHeld]:
    """Every stint in every role, oldest first: the declared commander, then each handover or assignment."""
    stints: list[RoleHeld] = []
    current: dict[str, int] = {}  # role -> index of its open stint in `stints`

    def hand(role: str, user: str, at: datetime) -> None:
        open_index = current.get(role)
        if open_index is not None:
            held = stints[open_index]
            if held.user == user:
                return
            stints[open_index] = held._replace(until=at)
        current[role] = len(stints)
        stints.append(RoleHeld(role, user, at, None))

    for entry in sorted(timeline, key=BY_TIME):
        if entry.kind is EventKind.DECLARED and isinstance(entry.data.get("commander"), str):
            hand("commander", entry.data["commander"], entry.at)
        elif entry.kind in (EventKind.COMMANDER_CHANGED, EventKind.ROLE_ASSIGNED):
            role, user = entry.data.get("role"), entry.data.get("user")
            if isinstance(role, str) and isinstance(user, str):
                hand(role, user, entry.at)
    return stints
