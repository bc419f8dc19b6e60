"""Modals: declaring an incident, posting an update, changing severity; and reading their submissions."""

import json
from datetime import UTC, datetime
from typing import Any

from firebell.domain.incident import IncidentSnapshot
from firebell.domain.lifecycle import Status
from firebell.domain.naming import incident_label
from firebell.domain.policy import Policy
from firebell.services.incidents import MAX_TITLE
from firebell.slack.blocks.kit import option, plain

View = dict[str, Any]


class CallbackId:
    """callback_ids of Firebell's modals."""

    DECLARE = "incident.declare"
    UPDATE = "incident.update"
    SEVERITY = "incident.severity"


def _severity_select(policy: Policy, current: str) -> dict[str, Any]:
    options = [option(s.name, s.name, s.description) for s in policy.severities]
    initial = next(o for o in options if o["value"] == current)
    return {"type": "static_select", "action_id": "value", "options": options, "initial_option": initial}


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, limit=2000)
    return block


def _text_input(
    *,
    multiline: bool = False,
    max_length: int = 3000,
    initial: str | None = None,
    placeholder: str | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = initial
    if placeholder:
        element["placeholder"] = plain(placeholder, limit=150)
    return element


def declare_modal(policy: Policy, *, metadata: dict[str, Any], title: str | None = None) -> View:
    """The declare form: title, severity (with each level's impact), description, impact, commander."""
    return {
        "type": "modal",
        "callback_id": CallbackId.DECLARE,
        "private_metadata": json.dumps(metadata),
        "title": plain("Declare an incident"),
        "submit": plain("Declare"),
        "close": plain("Cancel"),
        "blocks": [
            _input(
                "title",
                "Title",
                _text_input(max_length=MAX_TITLE, initial=title, placeholder="What is broken, for whom?"),
            ),
            _input(
                "severity",
                "Severity",
                _severity_select(policy, policy.default.name),
                hint="Pick by customer impact.",
            ),
            _input("description", "Description", _text_input(multiline=True), optional=True),
            _input("customer_impact", "Customer impact", _text_input(multiline=True), optional=True),
            _input(
                "commander",
                "Incident Commander",
                {"type": "users_select", "action_id": "value"},
                optional=True,
                hint="Leave empty to lead it yourself.",
            ),
        ],
    }


def update_modal(incident: IncidentSnapshot, policy: Policy) -> View:
    """The status-update form, prefilled with the current severity and status."""
    statuses = [option(s.value.capitalize(), s.value) for s in (Status.INVESTIGATING, Status.MITIGATED)]
    current = next((o for o in statuses if o["value"] == incident.status.value), statuses[0])
    return {
        "type": "modal",
        "callback_id": CallbackId.UPDATE,
        # What the form showed: on submit, only fields the user changed from these are applied.
        "private_metadata": json.dumps(
            {
                "number": incident.number,
                "channel": incident.channel_id,
                "severity": incident.severity,
                "status": current["value"],
            }
        ),
        "title": plain(f"Update {incident_label(incident.number)}", limit=24),
        "submit": plain("Post update"),
        "close": plain("Cancel"),
        "blocks": [
            _input("severity", "Severity", _severity_select(policy, incident.severity)),
            _input(
                "status",
                "Status",
                {
                    "type": "static_select",
                    "action_id": "value",
                    "options": statuses,
                    "initial_option": current,
                },
            ),
            _input(
                "text",
                "Update",
                _text_input(multiline=True, placeholder="What we know, what we're doing, when the next update is"),
            ),
        ],
    }


def severity_modal(incident: IncidentSnapshot, policy: Policy) -> View:
    """The change-severity form."""
    return {
        "type": "modal",
        "callback_id": CallbackId.SEVERITY,
        "private_metadata": json.dumps({"number": incident.number, "channel": incident.channel_id}),
        "title": plain("Change severity"),
        "submit": plain("Change"),
        "close": plain("Cancel"),
        "blocks": [
            _input(
                "severity",
                "Severity",
                _severity_select(policy, incident.severity),
                hint="By customer impact.",
            )
        ],
    }


def submitted(view: dict[str, Any], block_id: str) -> str | None:
    """The value a user entered in one input block of a submitted view (text, option value or user id)."""
    state = view.get("state", {}).get("values", {}).get(block_id, {}).get("value")
    if not isinstance(state, dict):
        return None
    if state.get("type") == "static_select":
        selected = state.get("selected_option") or {}
        return selected.get("value")
    if state.get("type") == "users_select":
        return state.get("selected_user")
    if state.get("type") == "datepicker":
        return state.get("selected_date")
    value = state.get("value")
    return value.strip() if isinstance(value, str) and value.strip() else None


def submitted_datetime(view: dict[str, Any], block_id: str) -> datetime | None:
    """The moment chosen in a datetimepicker input (Slack sends epoch seconds)."""
    state = view.get("state", {}).get("values", {}).get(block_id, {}).get("value")
    if not isinstance(state, dict) or state.get("selected_date_time") is None:
        return None
    return datetime.fromtimestamp(int(state["selected_date_time"]), UTC)


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    """The private_metadata Firebell stored in a view."""
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


FORM_ERROR_LIMIT = 150  # what Firebell shows under a form field: a sentence, not a paragraph


def form_error(message: str, limit: int = FORM_ERROR_LIMIT) -> str:
    """A refusal cut to fit under a form field: whole sentences when the first fits, else cut and marked."""
    if len(message) <= limit:
        return message
    end = message.rfind(". ", 0, limit)
    return message[: end + 1] if end > 0 else message[: limit - 1] + "…"
