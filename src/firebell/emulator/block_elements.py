"""Block Kit element schemas (buttons, selects, inputs, ...) and their cross-field rules."""

from __future__ import annotations

from typing import Any

from .block_rules import (
    DATE_RE,
    TIME_RE,
    Checker,
    Schema,
    any_object,
    array,
    boolean,
    check_object,
    confirm,
    enum,
    integer,
    option,
    option_group,
    string,
    string_list,
    text_object,
)

_ACTION_ID = (string(255, min_len=1), False)
_CONFIRM = (confirm(), False)
_FOCUS = (boolean(), False)
_PLACEHOLDER = (text_object(150, plain=True), False)
_DISPATCH = (any_object(), False)
_MAX_SELECTED = (integer(lo=1), False)
_SELECT_BASE: Schema = {
    "action_id": _ACTION_ID,
    "confirm": _CONFIRM,
    "focus_on_load": _FOCUS,
    "placeholder": _PLACEHOLDER,
}
_INPUT_BASE: Schema = {
    "action_id": _ACTION_ID,
    "initial_value": (string(), False),
    "dispatch_action_config": _DISPATCH,
    "focus_on_load": _FOCUS,
    "placeholder": _PLACEHOLDER,
}

ELEMENT_SCHEMAS: dict[str, Schema] = {
    "button": {
        "text": (text_object(75, plain=True), True),
        "action_id": _ACTION_ID,
        "url": (string(3000, min_len=1), False),
        "value": (string(2000), False),
        "style": (enum("primary", "danger"), False),
        "confirm": _CONFIRM,
        "accessibility_label": (string(75), False),
    },
    "static_select": {
        **_SELECT_BASE,
        "options": (array(option(), min_items=1, max_items=100), False),
        "option_groups": (array(option_group(), min_items=1, max_items=100), False),
        "initial_option": (option(), False),
    },
    "multi_static_select": {
        **_SELECT_BASE,
        "options": (array(option(), min_items=1, max_items=100), False),
        "option_groups": (array(option_group(), min_items=1, max_items=100), False),
        "initial_options": (array(option()), False),
        "max_selected_items": _MAX_SELECTED,
    },
    "external_select": {
        **_SELECT_BASE,
        "initial_option": (option(), False),
        "min_query_length": (integer(lo=0), False),
    },
    "multi_external_select": {
        **_SELECT_BASE,
        "initial_options": (array(option()), False),
        "min_query_length": (integer(lo=0), False),
        "max_selected_items": _MAX_SELECTED,
    },
    "users_select": {**_SELECT_BASE, "initial_user": (string(min_len=1), False)},
    "multi_users_select": {
        **_SELECT_BASE,
        "initial_users": (string_list(), False),
        "max_selected_items": _MAX_SELECTED,
    },
    "conversations_select": {
        **_SELECT_BASE,
        "initial_conversation": (string(min_len=1), False),
        "default_to_current_conversation": (boolean(), False),
        "response_url_enabled": (boolean(), False),
        "filter": (any_object(), False),
    },
    "multi_conversations_select": {
        **_SELECT_BASE,
        "initial_conversations": (string_list(), False),
        "default_to_current_conversation": (boolean(), False),
        "max_selected_items": _MAX_SELECTED,
        "filter": (any_object(), False),
    },
    "channels_select": {
        **_SELECT_BASE,
        "initial_channel": (string(min_len=1), False),
        "response_url_enabled": (boolean(), False),
    },
    "multi_channels_select": {
        **_SELECT_BASE,
        "initial_channels": (string_list(), False),
        "max_selected_items": _MAX_SELECTED,
    },
    "overflow": {
        "action_id": _ACTION_ID,
        "options": (array(option(allow_url=True), min_items=1, max_items=5), True),
        "confirm": _CONFIRM,
    },
    "datepicker": {**_SELECT_BASE, "initial_date": (string(pattern=DATE_RE), False)},
    "timepicker": {
        **_SELECT_BASE,
        "initial_time": (string(pattern=TIME_RE), False),
        "timezone": (string(min_len=1), False),
    },
    "datetimepicker": {
        "action_id": _ACTION_ID,
        "initial_date_time": (integer(lo=0), False),
        "confirm": _CONFIRM,
        "focus_on_load": _FOCUS,
    },
    "plain_text_input": {
        **_INPUT_BASE,
        "multiline": (boolean(), False),
        "min_length": (integer(0, 3000), False),
        "max_length": (integer(1, 3000), False),
    },
    "email_text_input": dict(_INPUT_BASE),
    "url_text_input": dict(_INPUT_BASE),
    "number_input": {
        **_INPUT_BASE,
        "is_decimal_allowed": (boolean(), True),
        "min_value": (string(), False),
        "max_value": (string(), False),
    },
    "checkboxes": {
        "action_id": _ACTION_ID,
        "options": (array(option(plain=False), min_items=1, max_items=10), True),
        "initial_options": (array(option(plain=False)), False),
        "confirm": _CONFIRM,
        "focus_on_load": _FOCUS,
    },
    "radio_buttons": {
        "action_id": _ACTION_ID,
        "options": (array(option(plain=False), min_items=1, max_items=10), True),
        "initial_option": (option(plain=False), False),
        "confirm": _CONFIRM,
        "focus_on_load": _FOCUS,
    },
    "rich_text_input": {
        "action_id": _ACTION_ID,
        "initial_value": (any_object(), False),
        "dispatch_action_config": _DISPATCH,
        "focus_on_load": _FOCUS,
        "placeholder": _PLACEHOLDER,
    },
    "file_input": {
        "action_id": _ACTION_ID,
        "filetypes": (string_list(), False),
        "max_files": (integer(1, 10), False),
    },
    "image": {
        "image_url": (string(3000, min_len=1), False),
        "slack_file": (any_object(), False),
        "alt_text": (string(2000, min_len=1), True),
    },
    "workflow_button": {
        "text": (text_object(75, plain=True), True),
        "workflow": (any_object(), True),
        "action_id": _ACTION_ID,
        "style": (enum("primary", "danger"), False),
        "accessibility_label": (string(75), False),
    },
}

_SELECTS = frozenset(
    {
        "static_select",
        "multi_static_select",
        "external_select",
        "multi_external_select",
        "users_select",
        "multi_users_select",
        "conversations_select",
        "multi_conversations_select",
        "channels_select",
        "multi_channels_select",
    }
)
SECTION_ACCESSORIES = _SELECTS | {
    "button",
    "checkboxes",
    "datepicker",
    "image",
    "overflow",
    "radio_buttons",
    "timepicker",
    "workflow_button",
}
ACTIONS_ELEMENTS = _SELECTS | {
    "button",
    "checkboxes",
    "datepicker",
    "datetimepicker",
    "overflow",
    "radio_buttons",
    "timepicker",
    "workflow_button",
}
INPUT_ELEMENTS = _SELECTS | {
    "checkboxes",
    "datepicker",
    "datetimepicker",
    "email_text_input",
    "file_input",
    "number_input",
    "plain_text_input",
    "radio_buttons",
    "rich_text_input",
    "timepicker",
    "url_text_input",
}


def _option_key(opt: Any) -> tuple[Any, Any]:
    if not isinstance(opt, dict):
        return (None, None)
    text = opt.get("text")
    return (opt.get("value"), text.get("text") if isinstance(text, dict) else None)


def all_options(element: dict[str, Any]) -> list[dict[str, Any]]:
    """Every option of a select/overflow/checkboxes/radio element, option groups flattened."""
    found: list[dict[str, Any]] = [o for o in element.get("options") or [] if isinstance(o, dict)]
    for group in element.get("option_groups") or []:
        if isinstance(group, dict):
            found.extend(o for o in group.get("options") or [] if isinstance(o, dict))
    return found


def check_element_extras(c: Checker, el: dict[str, Any], ptr: str) -> None:
    """Cross-field rules the per-field schema cannot express."""
    kind = el.get("type")
    if kind in {"static_select", "multi_static_select"} and (
        (el.get("options") is None) == (el.get("option_groups") is None)
    ):
        c.err(ptr, "must provide exactly one of options or option_groups")
    keys = {_option_key(o) for o in all_options(el)}
    initial = el.get("initial_option")
    if isinstance(initial, dict) and kind != "external_select" and _option_key(initial) not in keys:
        c.err(f"{ptr}/initial_option", "initial_option must match one of the options exactly")
    if isinstance(el.get("initial_options"), list) and kind != "multi_external_select":
        for i, opt in enumerate(el["initial_options"]):
            if _option_key(opt) not in keys:
                c.err(f"{ptr}/initial_options/{i}", "initial_options must each match one of the options")
    if kind == "plain_text_input":
        lo, hi = el.get("min_length"), el.get("max_length")
        if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
            c.err(f"{ptr}/min_length", "min_length must not exceed max_length")
        initial = el.get("initial_value")
        if isinstance(initial, str) and isinstance(hi, int) and len(initial) > hi:
            c.err(f"{ptr}/initial_value", "initial_value is longer than max_length")
    if kind == "image" and el.get("image_url") is None and el.get("slack_file") is None:
        c.err(ptr, "must provide either image_url or slack_file")
    values = [o.get("value") for o in all_options(el)]
    if len(values) != len(set(values)):
        c.err(f"{ptr}/options", "option values must be unique")


def check_element(c: Checker, el: Any, ptr: str, allowed: frozenset[str], where: str) -> None:
    """Validate one interactive/non-interactive element allowed in ``where``."""
    if not isinstance(el, dict):
        c.err(ptr, "must provide an object")
        return
    kind = el.get("type")
    schema = ELEMENT_SCHEMAS.get(kind) if isinstance(kind, str) else None
    if schema is None:
        c.err(f"{ptr}/type", f"unknown element type {kind!r}")
        return
    if kind not in allowed:
        c.err(f"{ptr}/type", f"element type {kind} is not allowed in {where}")
        return
    check_object(c, el, ptr, schema)
    check_element_extras(c, el, ptr)
    action_id = el.get("action_id")
    if isinstance(action_id, str) and action_id:
        c.note_action_id(action_id, f"{ptr}/action_id")
