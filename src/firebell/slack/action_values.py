"""Values Firebell put in buttons and forms, read back as the untrusted input they are.

Slack echoes a button's `value` and a view's `private_metadata`; a forged or garbled request can carry
anything there, so each is checked before it becomes a number, a duration or a database key.
"""

from datetime import timedelta
from typing import Any

from firebell.domain.errors import UsageError

# Ids and numbers live in the database's INTEGER columns; past this PostgreSQL refuses the query.
MAX_ID = 2**31 - 1
_USE_BUTTONS = "Firebell did nothing; use the buttons and forms Firebell posted."


class BadValue(UsageError):
    """A button or form value that is not one Firebell could have sent."""


def action_value(body: dict[str, Any]) -> str:
    """The `value` of the first action in a block_actions payload ('' when there is none)."""
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}
    return str(first.get("value") or "")


def is_id(value: object) -> bool:
    """Whether `value` is a positive whole number (ASCII digits) that fits the database's integers."""
    text = str(value)
    return text.isascii() and text.isdecimal() and len(text) <= 10 and 1 <= int(text) <= MAX_ID


def whole_number(value: object, what: str) -> int:
    """`value` as a database id or number; a BadValue naming `what` otherwise."""
    if not is_id(value):
        shown = str(value)[:20]
        raise BadValue(f"`{shown}` is not a valid {what} (a whole number from 1 to {MAX_ID}). {_USE_BUTTONS}")
    return int(str(value))


def snooze_duration(value: object, options: tuple[timedelta | None, ...]) -> timedelta:
    """The snooze a button's value (in seconds) names, if it is one the policy offers; BadValue otherwise."""
    offered = {int(o.total_seconds()): o for o in options if o is not None}
    text = str(value)
    if text.isascii() and text.isdecimal() and len(text) <= 10 and int(text) in offered:
        return offered[int(text)]
    choices = ", ".join(f"{seconds}s" for seconds in sorted(offered)) or "none"
    raise BadValue(f"That snooze is not one on offer (offered: {choices}). {_USE_BUTTONS}")


def runbook_step(value: object) -> tuple[int, int]:
    """(run id, step number) from a checklist step button's `<run>:<step>` value; BadValue otherwise."""
    run, sep, step = str(value).partition(":")
    if not sep:
        raise BadValue(f"A checklist step button carries `<run>:<step>`, not `{str(value)[:20]}`. {_USE_BUTTONS}")
    return whole_number(run, "checklist run"), whole_number(step, "checklist step")
