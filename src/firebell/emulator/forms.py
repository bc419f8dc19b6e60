"""What a user can enter into a modal: building view.state.values and refusing what Slack's UI refuses."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .blocks import iter_elements
from .models import View
from .payloads import element_state, is_empty_state

if TYPE_CHECKING:
    from .state import SlackEmulator

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://\S+$")
_TEXT_INPUTS = frozenset({"plain_text_input", "email_text_input", "url_text_input", "number_input"})


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
            entry = element_state(emu, element, given[key], use_initial=False)
        elif earlier is not None:
            entry = earlier
        else:
            entry = element_state(emu, element, None, use_initial=True)
        if is_input and not block.get("optional") and is_empty_state(entry):
            raise ValueError(f"{label} is a required input; Slack would not let the user submit without it")
        state.setdefault(block_id, {})[action_id] = entry
    return state
