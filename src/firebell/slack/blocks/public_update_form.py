"""The public update form: public title (the first time), status, affected components and their statuses, and
the text prefilled from a template; and reading its submission back as the untrusted input it is."""

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from firebell.domain.lifecycle import Status
from firebell.domain.policy import Policy
from firebell.domain.status_page.templates import template_text
from firebell.domain.status_page.vocabulary import ComponentStatus, PublicStatus
from firebell.services.status_page.public_views import PublicState
from firebell.services.status_page.publishing import MAX_TITLE
from firebell.slack.blocks.kit import context, option, plain
from firebell.slack.blocks.modals import FormInputError, View, metadata, submitted
from firebell.slack.mrkdwn import escape_mrkdwn, truncate

BODY_LIMIT = 3000  # a plain_text_input holds at most 3000 characters
MAX_COMPONENT_OPTIONS = 100  # a multi_static_select offers at most 100 options
MAX_COMPONENT_STATUSES = 40  # a modal holds 100 blocks: a status select each for the first 40 components
_STATUS_BLOCK = "component_status."  # + the component's slug


class PublicForm:
    """callback_ids of the public update forms."""

    UPDATE = "public_update.form"
    REJECT = "public_update.reject_form"


def initial_status(state: PublicState) -> PublicStatus:
    """What the form proposes: resolved once the incident is, monitoring once mitigated, else where it stands."""
    if state.incident.status in (Status.RESOLVED, Status.CLOSED):
        return PublicStatus.RESOLVED
    if state.incident.status is Status.MITIGATED:
        return PublicStatus.MONITORING
    if state.status is None or state.status is PublicStatus.RESOLVED:
        return PublicStatus.INVESTIGATING
    return state.status


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _select(
    block_id: str, label: str, options: list[dict[str, Any]], initial: str, *, optional: bool
) -> dict[str, Any]:
    element = {
        "type": "static_select",
        "action_id": "value",
        "options": options,
        "initial_option": next(o for o in options if o["value"] == initial),
    }
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, limit=2000),
        "element": element,
        "optional": optional,
    }


def public_update_modal(
    policy: Policy,
    state: PublicState,
    *,
    may_publish: bool,
    draft: dict[str, Any] | None = None,
    edited_message: tuple[str, str] | None = None,
) -> View:
    """The form; `draft` (a card) prefills it from a draft being edited, whose message is `edited_message`."""
    config = policy.status_page
    status = PublicStatus(draft["status"]) if draft else initial_status(state)
    previous = {k: ComponentStatus(v) for k, v in (draft["components"] if draft else state.components).items()}
    if previous:
        affected = [c for c in config.components if c.slug in previous]
    else:
        affected = list(config.components_of(state.incident.service))
    interval = policy.known(state.incident.severity).public_update_interval
    body = str(draft["body"]) if draft else template_text(status, [c.name for c in affected], interval)
    blocks: list[dict[str, Any]] = [
        context(
            "Only what you write here reaches the public status page. Write for customers: what they notice and "
            "when they hear next; no internal names, systems or jargon."
        )
    ]
    if state.published:
        blocks.append(context(f"Public title: *{escape_mrkdwn(state.title or '')}*"))
    else:
        title: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": "value",
            "max_length": MAX_TITLE,
            "placeholder": plain("What customers notice, e.g. Card payments failing for some customers"),
        }
        if state.title:  # drafted before, never published: it may still change
            title["initial_value"] = state.title[:MAX_TITLE]
        blocks.append(
            {
                "type": "input",
                "block_id": "title",
                "label": plain("Public title"),
                "element": title,
                "hint": plain("Shown on the status page. The incident's own title stays internal."),
            }
        )
    statuses = [option(s.label, s.value) for s in PublicStatus]
    blocks.append(_select("status", "Public incident status", statuses, status.value, optional=False))
    if config.components:
        options = [option(c.name, c.slug, c.group) for c in config.components[:MAX_COMPONENT_OPTIONS]]
        element: dict[str, Any] = {
            "type": "multi_static_select",
            "action_id": "value",
            "options": options,
            "placeholder": plain("The components customers see affected"),
        }
        chosen = [o for o in options if o["value"] in {c.slug for c in affected}]
        if chosen:
            element["initial_options"] = chosen
        blocks.append(
            {
                "type": "input",
                "block_id": "components",
                "label": plain("Affected components"),
                "element": element,
                "optional": True,
                "hint": plain("Set each affected component's status below; the others are left as they are."),
            }
        )
        component_options = [option(s.label, s.value) for s in ComponentStatus]
        for component in config.components[:MAX_COMPONENT_STATUSES]:
            default = ComponentStatus.PARTIAL_OUTAGE if component in affected else ComponentStatus.OPERATIONAL
            if status is PublicStatus.RESOLVED:
                default = ComponentStatus.OPERATIONAL
            current = previous.get(component.slug, default) if status is not PublicStatus.RESOLVED else default
            blocks.append(
                _select(
                    f"{_STATUS_BLOCK}{component.slug}",
                    f"{component.name}: status (if affected)",
                    component_options,
                    current.value,
                    optional=True,
                )
            )
    blocks.append(
        {
            "type": "input",
            "block_id": "body",
            "label": plain("Public update"),
            "element": {
                "type": "plain_text_input",
                "action_id": "value",
                "multiline": True,
                "max_length": BODY_LIMIT,
                "initial_value": truncate(body, BODY_LIMIT),
            },
            "hint": plain(
                "Prefilled for the status you picked; if you change the status and keep this text, "
                "the new status's wording is used."
            ),
        }
    )
    if may_publish:
        blocks.append(
            {
                "type": "input",
                "block_id": "draft_only",
                "label": plain("Review first?"),
                "optional": True,
                "element": {
                    "type": "checkboxes",
                    "action_id": "value",
                    "options": [option("Post it in the war room as a draft instead of publishing now", "draft")],
                },
            }
        )
    else:
        blocks.append(context("The Incident Commander approves it in the war room before it is published."))
    meta = {
        "number": state.incident.number,
        "channel": state.incident.channel_id or "",
        "initial_status": status.value,
        "prefill": _digest(body),
        "interval": str(int(interval.total_seconds())) if interval else "",
    }
    if edited_message and draft:
        meta["edit_channel"], meta["edit_ts"] = edited_message
        meta["edit_update"] = str(draft["update_id"])
    return {
        "type": "modal",
        "callback_id": PublicForm.UPDATE,
        "private_metadata": json.dumps(meta),
        "title": plain(f"Public update {state.incident.label}", limit=24),
        "submit": plain("Publish now" if may_publish else "Submit draft"),
        "close": plain("Cancel"),
        "blocks": blocks,
    }


@dataclass(frozen=True)
class PublicSubmission:
    """A submitted public update form, checked."""

    number: int
    title: str | None
    status: PublicStatus
    components: dict[str, ComponentStatus]
    body: str
    publish: bool
    edited_message: tuple[str, str] | None
    edited_update: int | None


def _selected(view: dict[str, Any], block_id: str) -> list[str]:
    state = view.get("state", {}).get("values", {}).get(block_id, {}).get("value")
    if not isinstance(state, dict):
        return []
    chosen = state.get("selected_options") or []
    if not isinstance(chosen, list):
        raise FormInputError(block_id, "Pick from the list.")
    return [str(o.get("value")) for o in chosen if isinstance(o, dict) and o.get("value")]


def read_public_submission(policy: Policy, view: dict[str, Any], *, may_publish: bool) -> PublicSubmission:
    """The form's values; FormInputError (shown under its field) for what the form could not have sent."""
    meta = metadata(view)
    number = meta.get("number")
    if not isinstance(number, int):
        raise FormInputError("body", "This form lost track of its incident; open it again from the war room.")
    raw_status = submitted(view, "status") or ""
    try:
        status = PublicStatus(raw_status)
    except ValueError:
        valid = ", ".join(s.value for s in PublicStatus)
        raise FormInputError("status", f"Pick a public status: {valid}.") from None
    components: dict[str, ComponentStatus] = {}
    config = policy.status_page
    for slug in _selected(view, "components"):
        try:
            component = config.component(slug)
        except ValueError as exc:
            raise FormInputError("components", str(exc)) from None
        raw = submitted(view, f"{_STATUS_BLOCK}{component.slug}")
        try:
            components[component.slug] = ComponentStatus(raw) if raw else ComponentStatus.PARTIAL_OUTAGE
        except ValueError:
            raise FormInputError(f"{_STATUS_BLOCK}{component.slug}", "Pick a component status from the list.") from None
    body = submitted(view, "body") or ""
    if status.value != meta.get("initial_status") and _digest(body) == meta.get("prefill"):
        # The prefilled text of another status, untouched: say what the status picked says.
        seconds = str(meta.get("interval") or "")
        interval = timedelta(seconds=int(seconds)) if seconds.isdecimal() and len(seconds) < 9 else None
        names = [config.component(slug).name for slug in components]
        body = template_text(status, names, interval)
    edited, edited_update = None, None
    raw_update = str(meta.get("edit_update") or "")
    if meta.get("edit_channel") and meta.get("edit_ts") and raw_update.isdecimal() and len(raw_update) < 10:
        edited, edited_update = (str(meta["edit_channel"]), str(meta["edit_ts"])), int(raw_update)
    publish = may_publish and not _selected(view, "draft_only")
    return PublicSubmission(
        number=number,
        title=submitted(view, "title"),
        status=status,
        components=components,
        body=body,
        publish=publish,
        edited_message=edited,
        edited_update=edited_update,
    )
