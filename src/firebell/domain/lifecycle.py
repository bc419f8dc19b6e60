"""The incident lifecycle: investigating -> mitigated -> resolved -> closed, with reopen."""

from enum import StrEnum

from firebell.domain.errors import IllegalTransition


class Status(StrEnum):
    """Where an incident stands."""

    INVESTIGATING = "investigating"
    MITIGATED = "mitigated"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        """Open incidents still need a commander and updates."""
        return self in (Status.INVESTIGATING, Status.MITIGATED)


class Action(StrEnum):
    """A lifecycle action a responder can take."""

    MITIGATE = "mitigate"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    CLOSE = "close"


_ALLOWED: dict[tuple[Status, Action], Status] = {
    (Status.INVESTIGATING, Action.MITIGATE): Status.MITIGATED,
    (Status.INVESTIGATING, Action.RESOLVE): Status.RESOLVED,
    (Status.MITIGATED, Action.RESOLVE): Status.RESOLVED,
    (Status.RESOLVED, Action.REOPEN): Status.INVESTIGATING,
    # The mitigation did not hold: customer impact is back.
    (Status.MITIGATED, Action.REOPEN): Status.INVESTIGATING,
    (Status.RESOLVED, Action.CLOSE): Status.CLOSED,
}

_WHY_NOT: dict[tuple[Status, Action], str] = {
    (Status.MITIGATED, Action.MITIGATE): "is already mitigated",
    (Status.RESOLVED, Action.MITIGATE): "is already resolved; `reopen` it first if the problem is back",
    (Status.CLOSED, Action.MITIGATE): "is closed; declare a new incident if the problem is back",
    (Status.RESOLVED, Action.RESOLVE): "is already resolved",
    (Status.CLOSED, Action.RESOLVE): "is closed; its review is done, so it cannot be resolved again",
    (
        Status.INVESTIGATING,
        Action.REOPEN,
    ): "is already investigating; `reopen` is for a resolved or mitigated incident whose problem is back",
    (Status.CLOSED, Action.REOPEN): "is closed; declare a new incident if the problem is back",
    (Status.INVESTIGATING, Action.CLOSE): "is still open; resolve it before closing its review",
    (Status.MITIGATED, Action.CLOSE): "is still open; resolve it before closing its review",
    (Status.CLOSED, Action.CLOSE): "is already closed",
}


def transition(current: Status, action: Action, *, label: str) -> Status:
    """Return the status after `action`, or raise IllegalTransition naming why (label is e.g. `INC-42`)."""
    target = _ALLOWED.get((current, action))
    if target is None:
        reason = _WHY_NOT.get((current, action), f"cannot {action.value} from {current.value}")
        raise IllegalTransition(f"{label} {reason}.")
    return target


def allowed_actions(current: Status) -> list[Action]:
    """The actions the current status allows, in lifecycle order."""
    return [action for (status, action) in _ALLOWED if status == current]
