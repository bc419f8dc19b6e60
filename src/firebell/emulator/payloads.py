"""Builders for what Slack sends the app: slash-command forms, interaction payloads, event envelopes."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from .block_elements import all_options
from .ids import token_hex
from .models import Channel, Ephemeral, Message, View
from .shapes import message_json, view_json

if TYPE_CHECKING:
    from .state import SlackEmulator

_TEXT_INPUTS = frozenset({"plain_text_input", "email_text_input", "url_text_input", "number_input"})
_SINGLE_OPTION = frozenset({"static_select", "external_select", "overflow", "radio_buttons"})
_MULTI_OPTION = frozenset({"multi_static_select", "multi_external_select", "checkboxes"})
_PICKERS: dict[str, tuple[str, str]] = {
    "users_select": ("selected_user", "initial_user"),
    "multi_users_select": ("selected_users", "initial_users"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations"),
    "channels_select": ("selected_channel", "initial_channel"),
    "multi_channels_select": ("selected_channels", "initial_channels"),
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "datetimepicker": ("selected_date_time", "initial_date_time"),
}


def user_ref(emu: SlackEmulator, user_id: str) -> dict[str, Any]:
    """The ``user`` object of interaction payloads."""
    name = emu.users[user_id].name
    return {"id": user_id, "username": name, "name": name, "team_id": emu.team_id}


def team_ref(emu: SlackEmulator) -> dict[str, Any]:
    """The ``team`` object of interaction payloads."""
    return {"id": emu.team_id, "domain": emu.team_domain}


def slash_command_form(
    emu: SlackEmulator, *, command: str, text: str, user_id: str, channel: Channel, response_url: str, trigger_id: str
) -> dict[str, str]:
    """The form fields of a slash-command request."""
    channel_name = "directmessage" if channel.is_im else channel.name
    return {
        "token": emu.verification_token,
        "team_id": emu.team_id,
        "team_domain": emu.team_domain,
        "channel_id": channel.id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": emu.users[user_id].name,
        "command": command,
        "text": text,
        "api_app_id": emu.app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def _find_option(element: dict[str, Any], value: Any) -> dict[str, Any]:
    if element.get("type") in ("external_select", "multi_external_select"):
        return {"text": {"type": "plain_text", "text": str(value)}, "value": str(value)}
    for option in all_options(element):
        if option.get("value") == value:
            return copy.deepcopy(option)
    known = [o.get("value") for o in all_options(element)]
    raise ValueError(f"{value!r} is not an option of {element.get('action_id')!r} (options: {known})")


def _resolve_pick(emu: SlackEmulator, key: str, value: Any) -> Any:
    if key in ("selected_user", "selected_users"):
        items = value if isinstance(value, list) else [value]
        ids = [emu.user_id(str(v)) for v in items]
        return ids if isinstance(value, list) else ids[0]
    if key in ("selected_conversation", "selected_conversations", "selected_channel", "selected_channels"):
        items = value if isinstance(value, list) else [value]
        ids = [emu.channel(str(v)).id for v in items]
        return ids if isinstance(value, list) else ids[0]
    return value


def element_state(emu: SlackEmulator, element: dict[str, Any], value: Any, *, use_initial: bool) -> dict[str, Any]:
    """``state.values[block_id][action_id]`` for an element given a value (or its initial value)."""
    kind = str(element.get("type"))
    state: dict[str, Any] = {"type": kind}
    if kind in _TEXT_INPUTS:
        state["value"] = value if value is not None else (element.get("initial_value") if use_initial else None)
    elif kind in _SINGLE_OPTION:
        if value is None:
            state["selected_option"] = copy.deepcopy(element.get("initial_option")) if use_initial else None
        else:
            state["selected_option"] = _find_option(element, value)
    elif kind in _MULTI_OPTION:
        if value is None:
            state["selected_options"] = copy.deepcopy(element.get("initial_options") or []) if use_initial else []
        else:
            state["selected_options"] = [
                _find_option(element, v) for v in (value if isinstance(value, list) else [value])
            ]
    elif kind in _PICKERS:
        key, initial = _PICKERS[kind]
        picked = value if value is not None else (element.get(initial) if use_initial else None)
        state[key] = _resolve_pick(emu, key, picked) if picked is not None else None
    elif kind == "rich_text_input":
        state["rich_text_value"] = value if value is not None else element.get("initial_value")
    elif kind == "file_input":
        state["files"] = value or []
    return state


def is_empty_state(state: dict[str, Any]) -> bool:
    """Whether an element state holds no user input."""
    values = [v for k, v in state.items() if k != "type"]
    return all(v in (None, "", [], {}) for v in values)


def action_entry(emu: SlackEmulator, block: dict[str, Any], element: dict[str, Any], value: Any) -> dict[str, Any]:
    """One ``actions[]`` item of a block_actions payload."""
    kind = str(element.get("type"))
    action: dict[str, Any] = {
        "action_id": element.get("action_id"),
        "block_id": block.get("block_id"),
        "type": kind,
        "action_ts": f"{emu.now():.6f}",
    }
    if kind in ("button", "workflow_button"):
        action["text"] = copy.deepcopy(element.get("text"))
        if "value" in element:
            action["value"] = element["value"]
        if "style" in element:
            action["style"] = element["style"]
        return action
    state = element_state(emu, element, value, use_initial=False)
    state.pop("type")
    action.update(state)
    return action


def block_actions_payload(
    emu: SlackEmulator,
    *,
    user_id: str,
    actions: list[dict[str, Any]],
    trigger_id: str,
    channel: Channel | None = None,
    message: Message | None = None,
    ephemeral: Ephemeral | None = None,
    view: View | None = None,
    response_url: str | None = None,
) -> dict[str, Any]:
    """A block_actions payload from a message (or ephemeral) or from a view."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": user_ref(emu, user_id),
        "api_app_id": emu.app_id,
        "token": emu.verification_token,
        "trigger_id": trigger_id,
        "team": team_ref(emu),
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.id}
        payload["view"] = view_json(emu, view)
    else:
        if channel is None:
            raise ValueError("a message block_actions payload needs a channel")
        ts = message.ts if message is not None else (ephemeral.ts if ephemeral is not None else "")
        payload["container"] = {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel.id,
            "is_ephemeral": ephemeral is not None,
        }
        payload["channel"] = {"id": channel.id, "name": "directmessage" if channel.is_im else channel.name}
        if message is not None:
            payload["message"] = message_json(emu, message)
        payload["state"] = {"values": {}}
        payload["response_url"] = response_url
    payload["actions"] = actions
    return payload


def view_submission_payload(emu: SlackEmulator, *, user_id: str, view: View, trigger_id: str) -> dict[str, Any]:
    """A view_submission payload (the view carries state.values)."""
    return {
        "type": "view_submission",
        "team": team_ref(emu),
        "user": user_ref(emu, user_id),
        "api_app_id": emu.app_id,
        "token": emu.verification_token,
        "trigger_id": trigger_id,
        "view": view_json(emu, view),
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def event_envelope(emu: SlackEmulator, event: dict[str, Any], *, event_id: str, event_time: int) -> dict[str, Any]:
    """The Events API ``event_callback`` envelope (``authorizations`` instead of authed_users)."""
    return {
        "token": emu.verification_token,
        "team_id": emu.team_id,
        "context_team_id": emu.team_id,
        "context_enterprise_id": None,
        "api_app_id": emu.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": emu.team_id,
                "user_id": emu.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{token_hex(24)}",
    }
