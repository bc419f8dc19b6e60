"""Who may do what to an incident: the policy's `permissions` section, and the check against it."""

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

from firebell.domain.errors import NotPermitted
from firebell.domain.lifecycle import Operation

ANYONE = "anyone"
DECLARER = "declarer"


def _who(value: Any) -> Any:
    # `close: commander` reads as well as `close: [commander, declarer]`.
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not value:
        raise ValueError("expected a list such as [commander, declarer], or anyone")
    if not all(isinstance(item, str) for item in value):
        raise ValueError(f"expected names of roles (or anyone, declarer), got {value!r}")
    return tuple(item.strip().lower() for item in value)


Who = Annotated[tuple[str, ...], BeforeValidator(_who)]
EVERYONE: Who = (ANYONE,)


class Permissions(BaseModel):
    """Who may do each thing: `anyone` (in the war room), `declarer`, or holders of the named roles.

    Speed matters in an incident, so everything is open to anyone by default except closing the review,
    which is the Incident Commander's or the declarer's call. One field per `Operation`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    update: Who = EVERYONE
    note: Who = EVERYONE
    severity: Who = EVERYONE
    command: Who = EVERYONE
    roles: Who = EVERYONE
    mitigate: Who = EVERYONE
    resolve: Who = EVERYONE
    reopen: Who = EVERYONE
    close: Who = ("commander", DECLARER)
    snooze: Who = EVERYONE
    runbooks: Who = EVERYONE
    action_items: Who = EVERYONE
    postmortem: Who = EVERYONE
    times: Who = EVERYONE
    statuspage: Who = EVERYONE  # anyone in the war room may draft a public update...
    publish: Who = ("commander",)  # ...the Incident Commander publishes it

    def allowed(self, operation: Operation) -> tuple[str, ...]:
        """Who may do `operation`."""
        who: tuple[str, ...] = getattr(self, operation.value)
        return who

    def restricted(self) -> dict[str, tuple[str, ...]]:
        """The keys not open to anyone, with who may (what `firebell policy check` shows)."""
        return {op.value: self.allowed(op) for op in Operation if ANYONE not in self.allowed(op)}

    def unknown_names(self, roles: tuple[str, ...]) -> dict[str, list[str]]:
        """Per key, the names that are neither `anyone`, `declarer` nor one of `roles`."""
        valid = {ANYONE, DECLARER, *roles}
        found = {op.value: [name for name in self.allowed(op) if name not in valid] for op in Operation}
        return {key: names for key, names in found.items() if names}


# "Only the Incident Commander or the declarer may <this> INC-3."
_DOING: dict[Operation, str] = {
    Operation.UPDATE: "post status updates on",
    Operation.NOTE: "add notes to",
    Operation.SEVERITY: "change the severity of",
    Operation.COMMAND: "take or hand over command of",
    Operation.ROLES: "assign roles on",
    Operation.MITIGATE: "mark as mitigated",
    Operation.RESOLVE: "resolve",
    Operation.REOPEN: "reopen",
    Operation.CLOSE: "close the review of",
    Operation.SNOOZE: "snooze the update reminders of",
    Operation.RUNBOOKS: "post or tick off runbooks on",
    Operation.ACTION_ITEMS: "add or change action items of",
    Operation.POSTMORTEM: "work on the postmortem of",
    Operation.TIMES: "set the impact start or detection time of",
    Operation.STATUSPAGE: "draft a public update for",
    Operation.PUBLISH: "publish a public update for",
}


def _title(name: str) -> str:
    if name == "commander":
        return "the Incident Commander"
    return "the declarer" if name == DECLARER else f"the {name}"


def describe(who: tuple[str, ...]) -> str:
    """`the Incident Commander or the declarer`."""
    titles = [_title(name) for name in who]
    return titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " or " + titles[-1]


def is_permitted(
    permissions: Permissions, operation: Operation, *, actor: str, roles: Mapping[str, str], declarer: str | None
) -> bool:
    """Whether `actor` may do `operation`, given who holds each role (commander included) and who declared."""
    for name in permissions.allowed(operation):
        if name == ANYONE or (name == DECLARER and actor == declarer) or roles.get(name) == actor:
            return True
    return False


def check_permitted(
    permissions: Permissions,
    operation: Operation,
    *,
    actor: str,
    roles: Mapping[str, str],
    declarer: str | None,
    label: str,
) -> None:
    """Raise NotPermitted, saying who may, unless `actor` may do `operation`."""
    if is_permitted(permissions, operation, actor=actor, roles=roles, declarer=declarer):
        return
    who = permissions.allowed(operation)
    handover = " or have command handed to you" if "commander" in who else ""
    raise NotPermitted(
        f"Only {describe(who)} may {_DOING[operation]} {label} (the policy's `permissions.{operation.value}`). "
        f"Ask {'one of them' if len(who) > 1 else _title(who[0])}{handover}."
    )
