"""Modals: declaring an incident, posting an update, changing severity; and reading their submissions."""

import json
import re
from datetime import UTC, date, datetime
from typing import Any

from firebell.domain.errors import UsageError
from firebell.domain.free_text import NUL
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.lifecycle import Status
from firebell.domain.naming import incident_label
from firebell.domain.policy import Policy
from firebell.services.incidents import MAX_TITLE
from firebell.slack.blocks.kit import option, plain

View = dict[str, Any]

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_LAST_YEAR = 2999  # epoch seconds of at most 11 digits stay below year 5138; nothing is planned past this


class CallbackId:
    """callback_ids of Firebell's modals."""

    DECLARE = "incident.declare"
    UPDATE = "incident.update"
    SEVERITY = "incident.severity"


def _severity_select(policy: Policy, current: str | None) -> dict[str, Any]:
    options = [option(s.name, s.name, s.description) for s in policy.severities]
    initial = next((o for o in options if o["value"] == current), None)
    initial = initial or next(o for o in options if o["value"] == policy.default.name)
    return {"type": "static_select", "action_id": "value", "options": options, "initial_option": initial}


MAX_OPTIONS = 100  # a static_select offers at most 100 options


def service_input(policy: Policy, current: str | None) -> dict[str, Any]:
    """The declare form's Service select (the policy's services; the first 100 when there are more)."""
    options = [option(s.name, s.name, s.description) for s in policy.services[:MAX_OPTIONS]]
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": "value",
        "options": options,
        "placeholder": plain("Pick the service affected"),
    }
    initial = next((o for o in options if o["value"] == current), None)
    if initial is not None:
        element["initial_option"] = initial
    return _input("service", "Service", element, optional=True, hint="Its on-call is paged for severe incidents.")


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


def declare_modal(
    policy: Policy,
    *,
    metadata: dict[str, Any],
    title: str | None = None,
    severity: str | None = None,
    description: str | None = None,
    noticed_at: datetime | None = None,
    service: str | None = None,
) -> View:
    """The declare form: title, severity (with each level's impact), the service affected (when the policy
    defines services), description, impact, commander, and when it was noticed (time to declare counts from it);
    prefilled with what is known (from an alert group's triage, say)."""
    noticed: dict[str, Any] = {"type": "datetimepicker", "action_id": "value"}
    if noticed_at is not None:
        noticed["initial_date_time"] = int(noticed_at.timestamp())
    view: View = {
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
                _text_input(
                    max_length=MAX_TITLE,
                    initial=title[:MAX_TITLE] if title else None,
                    placeholder="What is broken, for whom?",
                ),
            ),
            _input(
                "severity",
                "Severity",
                _severity_select(policy, severity),
                hint="Pick by customer impact.",
            ),
            _input(
                "description",
                "Description",
                _text_input(multiline=True, initial=description[:3000] if description else None),
                optional=True,
            ),
            _input("customer_impact", "Customer impact", _text_input(multiline=True), optional=True),
            _input(
                "commander",
                "Incident Commander",
                {"type": "users_select", "action_id": "value"},
                optional=True,
                hint="Leave empty to lead it yourself.",
            ),
            _input(
                "noticed_at",
                "Noticed at",
                noticed,
                optional=True,
                hint="When you first noticed the problem, if before now. Time to declare counts from it.",
            ),
        ],
    }
    if policy.services:
        view["blocks"].insert(2, service_input(policy, service))
    return view


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


class FormInputError(UsageError):
    """A form field holding what Slack's own input would not send; `field` is its block_id."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

    def errors(self) -> dict[str, str]:
        """The `errors` of a `response_action: errors` ack: the message under the field (Slack shows 150)."""
        return {self.field: self.message[:150]}


def _state(view: dict[str, Any], block_id: str) -> dict[str, Any] | None:
    values = view.get("state", {}).get("values", {}).get(block_id, {})
    state = values.get("value") if isinstance(values, dict) else None
    return state if isinstance(state, dict) else None


def submitted(view: dict[str, Any], block_id: str) -> str | None:
    """The value a user entered in one input block of a submitted view (text, option value or user id)."""
    state = _state(view, block_id)
    if state is None:
        return None
    if state.get("type") == "static_select":
        selected = state.get("selected_option") or {}
        value = selected.get("value")
    elif state.get("type") == "users_select":
        value = state.get("selected_user")
    elif state.get("type") == "datepicker":
        value = state.get("selected_date")
    else:
        text = state.get("value")
        value = text.strip() if isinstance(text, str) and text.strip() else None
    if value is None:
        return None
    if not isinstance(value, str):
        raise FormInputError(block_id, "This field's value is not text; please enter it again.")
    if NUL in value:
        raise FormInputError(block_id, "This field contains a NUL character (\\0), which cannot be stored.")
    return value


def submitted_date(view: dict[str, Any], block_id: str) -> date | None:
    """The day chosen in a datepicker input (Slack sends `YYYY-MM-DD`); a FormInputError for anything else."""
    value = submitted(view, block_id)
    if value is None:
        return None
    try:
        if not _ISO_DATE.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise FormInputError(block_id, f"`{value[:20]}` is not a date; pick one (YYYY-MM-DD).") from None


def submitted_datetime(view: dict[str, Any], block_id: str) -> datetime | None:
    """The moment chosen in a datetimepicker input (Slack sends epoch seconds); a FormInputError otherwise."""
    state = _state(view, block_id)
    if state is None or state.get("selected_date_time") is None:
        return None
    value = state["selected_date_time"]
    text = str(value)
    if isinstance(value, bool) or not text.isascii() or not text.isdecimal() or len(text) > 11:
        raise FormInputError(block_id, f"`{text[:20]}` is not a date and time; pick both in the picker.")
    moment = datetime.fromtimestamp(int(text), UTC)
    if moment.year > _LAST_YEAR:
        raise FormInputError(block_id, f"Pick a date and time before {_LAST_YEAR + 1}.")
    return moment


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    """The private_metadata Firebell stored in a view: its text values, and a whole `number`.

    Slack echoes it back, so a forged or garbled one may hold anything; what Firebell never stores there
    (lists, objects, a numeric channel) is left out, as if absent.
    """
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except (json.JSONDecodeError, TypeError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        key: value
        for key, value in data.items()
        if isinstance(value, str) or (key == "number" and isinstance(value, int) and not isinstance(value, bool))
    }


FORM_ERROR_LIMIT = 150  # what Firebell shows under a form field: a sentence, not a paragraph


def form_error(message: str, limit: int = FORM_ERROR_LIMIT) -> str:
    """A refusal cut to fit under a form field: whole sentences when the first fits, else cut and marked."""
    if len(message) <= limit:
        return message
    end = message.rfind(". ", 0, limit)
    return message[: end + 1] if end > 0 else message[: limit - 1] + "…"
