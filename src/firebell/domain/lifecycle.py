"""The incident lifecycle: investigating -> mitigated -> resolved -> closed, with reopen; what a closed one allows."""

from enum import StrEnum

from firebell.domain.errors import IllegalTransition, IncidentClosed


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


class Operation(StrEnum):
    """Everything a person can do to an incident: the keys of the closed-incident rule and of `permissions`."""

    UPDATE = "update"
    NOTE = "note"
    SEVERITY = "severity"
    COMMAND = "command"
    ROLES = "roles"
    MITIGATE = "mitigate"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    CLOSE = "close"
    SNOOZE = "snooze"
    RUNBOOKS = "runbooks"
    ACTION_ITEMS = "action_items"
    POSTMORTEM = "postmortem"
    TIMES = "times"  # correcting when impact started or it was detected
    STATUSPAGE = "statuspage"  # drafting a public update for the status page
    PUBLISH = "publish"  # publishing a public update (approving a draft, or publishing one's own)


OPERATION_OF: dict[Action, Operation] = {
    Action.MITIGATE: Operation.MITIGATE,
    Action.RESOLVE: Operation.RESOLVE,
    Action.REOPEN: Operation.REOPEN,
    Action.CLOSE: Operation.CLOSE,
}

# A closed incident's review is done: it is a record. What can still happen to it is writing down
# (notes, pins), following up (action items) and the postmortem with its key times; nothing that changes what it was or
# would announce it again. A problem that comes back is a new incident, declared and linked by a note.
CLOSED_ALLOWS = frozenset({Operation.NOTE, Operation.ACTION_ITEMS, Operation.POSTMORTEM, Operation.TIMES})

# What was refused, said as "INC-3 is closed, so <this> ...".
_CLOSED_REFUSES: dict[Operation, str] = {
    Operation.UPDATE: "it takes no more status updates",
    Operation.SEVERITY: "its severity can no longer change",
    Operation.COMMAND: "it has no one in command any more",
    Operation.ROLES: "its roles can no longer change",
    Operation.MITIGATE: "it cannot be mitigated",
    Operation.RESOLVE: "it cannot be resolved again",
    Operation.REOPEN: "it cannot be reopened",
    Operation.CLOSE: "there is nothing left to close",
    Operation.SNOOZE: "it has no update reminders to snooze",
    Operation.RUNBOOKS: "no runbook checklists are posted or ticked off any more",
    Operation.STATUSPAGE: "it takes no more public updates",
    Operation.PUBLISH: "it takes no more public updates",
}
STILL_POSSIBLE_WHEN_CLOSED = "notes, action items and the postmortem still work"
HOW_WHEN_CLOSED = (
    "Use `/incident note <text>`, `/incident action <text>` or `/incident postmortem`. "
    "If the problem is back, declare a new incident."
)


def check_allowed(status: Status, operation: Operation, *, label: str) -> None:
    """Raise IncidentClosed, saying what is still possible, when a closed incident does not allow `operation`."""
    if status is Status.CLOSED and operation not in CLOSED_ALLOWS:
        # The first sentence stands alone (a form shows only that): what was refused and what still works.
        raise IncidentClosed(
            f"{label} is closed, so {_CLOSED_REFUSES[operation]}; {STILL_POSSIBLE_WHEN_CLOSED}. {HOW_WHEN_CLOSED}"
        )
