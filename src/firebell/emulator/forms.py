"""What a user can enter into a modal: building view.state.values and refusing what Slack's UI refuses."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from .blocks import iter_elements
from .models import View
from .payloads import element_state, is_empty_state

if TYPE_CHECKING:
    from .state import SlackEmulator

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://\S+$")
_TEXT_INPUTS = frozenset({"plain_text_input", "email_text_input", "url_text_input", "number_input"})
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_TIME = re.compile(r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$")
_DATE_TIME = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]((?:[01][0-9]|2[0-3]):[0-5][0-9])$")
_PICKERS = frozenset({"datepicker", "timepicker", "datetimepicker"})


def _check_text(element: dict[str, Any], value: Any, label: str) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise ValueError(f"{label}: a text input takes a string, got {value!r}")
    kind = element.get("type")
    lo, hi = element.get("min_length"), element.get("max_length")
    if isinstance(lo, int) and value and len(value) < lo:
        raise ValueError(f"{label}: at least {lo} characters required (Slack's UI blocks submission)")
    if isinstance(hi, int) and len(value) > hi:
        raise ValueError(f"{label}: at most {hi} characters allowed (Slack's UI blocks submission)")
    if kind == "email_text_input" and value and not _EMAIL.match(value):
        raise ValueError(f"{label}: {value!r} is not an email address")
    if kind == "url_text_input" and value and not _URL.match(value):
        raise ValueError(f"{label}: {value!r} is not a URL")
    if kind == "number_input" and value:
        try:
            number = float(value)
        except ValueError as exc:
            raise ValueError(f"{label}: {value!r} is not a number") from exc
        if not element.get("is_decimal_allowed") and not number.is_integer():
            raise ValueError(f"{label}: decimals are not allowed")


def _is_day(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return bool(_DATE.match(value))


def _picked(element: dict[str, Any], value: Any, label: str) -> Any:
    """What a date, time or date-time picker sends for ``value``; ValueError for what its UI cannot pick.

    A date picker sends ``YYYY-MM-DD`` and a time picker ``HH:mm``; a date-time picker sends epoch seconds,
    given here as a number or as ``YYYY-MM-DD HH:MM`` (UTC), the way a person reads it off the picker.
    """
    kind = element.get("type")
    if kind == "datepicker":
        if isinstance(value, str) and _is_day(value):
            return value
        raise ValueError(f"{label}: a date picker picks a day, sent as YYYY-MM-DD (e.g. 2026-12-07), not {value!r}")
    if kind == "timepicker":
        if isinstance(value, str) and _TIME.match(value):
            return value
        raise ValueError(f"{label}: a time picker picks a time, sent as HH:mm (e.g. 14:05), not {value!r}")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdecimal():
        return int(value)
    match = _DATE_TIME.match(value) if isinstance(value, str) else None
    if match and _is_day(match.group(1)):
        moment = datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}").replace(tzinfo=UTC)
        return int(moment.timestamp())
    raise ValueError(
        f"{label}: a date-time picker picks a day and a time, given as YYYY-MM-DD HH:MM (UTC) "
        f"or epoch seconds, not {value!r}"
    )


def _resolve_keys(view: View, values: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """Map each key of ``values`` to a (block_id, action_id): an action_id or block_id that names one
    element, or ``"block_id/action_id"``."""
    pairs = [(str(b.get("block_id")), str(el.get("action_id"))) for b, el in iter_elements(view.view.get("blocks"))]
    names: dict[str, set[tuple[str, str]]] = {}
    for block_id, action_id in pairs:
        for key in (action_id, block_id, f"{block_id}/{action_id}"):
            names.setdefault(key, set()).add((block_id, action_id))
    resolved: dict[tuple[str, str], Any] = {}
    for key, value in values.items():
        targets = names.get(key, set())
        if not targets:
            raise ValueError(f"view {view.id} has no element {key!r} (action_ids/block_ids: {sorted(names)})")
        if len(targets) > 1:
            raise ValueError(f"{key!r} names several elements of view {view.id}; use 'block_id/action_id'")
        resolved[next(iter(targets))] = value
    return resolved


def submission_state(emu: SlackEmulator, view: View, values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``state.values`` for submitting ``view``; ``values`` keyed by action_id, block_id or ``block/action``.

    Raises ValueError where Slack's UI would refuse the submission (missing required input, too long, ...).
    """
    given = _resolve_keys(view, values)
    state: dict[str, dict[str, Any]] = {}
    for block, element in iter_elements(view.view.get("blocks") or []):
        block_id, action_id = str(block.get("block_id")), str(element.get("action_id"))
        key, label = (block_id, action_id), f"{block_id}/{action_id}"
        is_input = block.get("type") == "input"
        earlier = view.state.get(block_id, {}).get(action_id)
        if element.get("type") in ("button", "overflow", "workflow_button"):
            continue
        if not is_input and key not in given and earlier is None:
            continue
        if key in given:
            if element.get("type") in _TEXT_INPUTS:
                _check_text(element, given[key], label)
            if element.get("type") in _PICKERS and given[key] is not None:
                given[key] = _picked(element, given[key], label)
            entry = element_state(emu, element, given[key], use_initial=False)
        elif earlier is not None:
            entry = earlier
        else:
            entry = element_state(emu, element, None, use_initial=True)
        if is_input and not block.get("optional") and is_empty_state(entry):
            raise ValueError(f"{label} is a required input; Slack would not let the user submit without it")
        state.setdefault(block_id, {})[action_id] = entry
    return state
