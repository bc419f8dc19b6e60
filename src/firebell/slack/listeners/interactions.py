"""Buttons and modal submissions: the kick-off's actions, the declare, update and severity forms."""

import logging
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from firebell.domain.affected_service import UnknownService
from firebell.domain.errors import FirebellError
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.incident_times import TimeRefused
from firebell.domain.lifecycle import Action, Operation, Status
from firebell.domain.naming import incident_label
from firebell.services.cadence import snooze
from firebell.services.changes import guard_snapshot
from firebell.services.context import Context
from firebell.services.incidents import DeclareRequest, declare_incident, get_incident, incident_for_channel
from firebell.services.lifecycle import change_status
from firebell.services.severity import change_severity
from firebell.services.updates import post_update_from_form
from firebell.slack.action_values import action_value, is_id, snooze_duration, whole_number
from firebell.slack.blocks.incident import ActionId
from firebell.slack.blocks.kit import plain, section
from firebell.slack.blocks.modals import (
    FormInputError,
    form_error,
    metadata,
    severity_modal,
    submitted,
    submitted_datetime,
    update_modal,
)
from firebell.slack.blocks.reminders import snoozed_message
from firebell.slack.listeners.after_ack import AfterAck
from firebell.slack.listeners.button_forms import open_form, tell

log = logging.getLogger(__name__)

_BUTTON_ACTIONS = {ActionId.MITIGATE: Action.MITIGATE, ActionId.RESOLVE: Action.RESOLVE, ActionId.REOPEN: Action.REOPEN}


def _channel_of(body: dict[str, Any]) -> str | None:
    channel = body.get("channel") or body.get("container")
    if not isinstance(channel, dict):
        return None
    found = channel.get("id") or channel.get("channel_id")
    return found if isinstance(found, str) and found else None


# The statuses the update form offers (Slack sends back one of its options, unless forged).
_FORM_STATUSES = (Status.INVESTIGATING.value, Status.MITIGATED.value)


def _form_error(ack: Ack, exc: FirebellError, field: str) -> None:
    """Answer a form submission with `exc` shown under its field (or under `field`)."""
    errors = exc.errors() if isinstance(exc, FormInputError) else {field: form_error(exc.message)}
    ack(response_action="errors", errors=errors)


class Interactions:
    """Bolt listeners for Firebell's buttons and modals."""

    def __init__(self, ctx: Context, after_ack: AfterAck) -> None:
        self.ctx = ctx
        self.after_ack = after_ack

    def _incident_here(
        self, body: dict[str, Any], respond: Respond, operation: Operation | None = None
    ) -> IncidentSnapshot | None:
        channel = _channel_of(body)
        incident = incident_for_channel(self.ctx, channel) if channel else None
        value = action_value(body)
        if incident is None and is_id(value):  # e.g. a reminder sent to the IC directly
            try:
                incident = get_incident(self.ctx, int(value))
            except FirebellError:
                incident = None
        if incident is None:
            self.after_ack.run(tell, respond, "This button belongs to an incident war room; use it there.")
            return None
        if operation is not None:  # refuse now rather than offer a form whose submission would be refused
            try:
                guard_snapshot(self.ctx.policy, incident, operation, actor=str(body["user"]["id"]))
            except FirebellError as exc:
                self.after_ack.run(tell, respond, exc.message)
                return None
        return incident

    def open_update_form(self, ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """ "Post update" button."""
        ack()
        incident = self._incident_here(body, respond, Operation.UPDATE)
        if incident is not None:
            self.after_ack.run(open_form, client, respond, body, update_modal(incident, self.ctx.policy))

    def open_severity_form(self, ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """ "Change severity" button."""
        ack()
        incident = self._incident_here(body, respond, Operation.SEVERITY)
        if incident is not None:
            self.after_ack.run(open_form, client, respond, body, severity_modal(incident, self.ctx.policy))

    def lifecycle_button(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """Mitigate / Resolve / Reopen buttons."""
        ack()
        action = _BUTTON_ACTIONS[body["actions"][0]["action_id"]]
        channel = _channel_of(body)
        try:
            if channel is None:
                raise FirebellError("This button belongs to an incident war room.")
            change_status(self.ctx, channel_id=channel, actor=body["user"]["id"], action=action)
        except FirebellError as exc:
            self.after_ack.run(tell, respond, exc.message)

    def snooze_button(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """ "Snooze 15m" / "Snooze 30m" on a reminder."""
        ack()
        channel = _channel_of(body)
        actor = body["user"]["id"]
        try:
            duration = snooze_duration(action_value(body), self.ctx.policy.cadence.snooze_options)
            if channel is None:
                raise FirebellError("This button belongs to an incident war room.")
            incident = snooze(self.ctx, channel_id=channel, actor=actor, duration=duration)
        except FirebellError as exc:
            self.after_ack.run(tell, respond, exc.message)
            return
        message = snoozed_message(incident, actor=actor, duration=duration)
        self.after_ack.run(respond, text=message.text, blocks=message.blocks, replace_original=True)

    # -- modal submissions -------------------------------------------------------------------------

    def declare_submitted(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The declare form."""
        meta = metadata(view)
        try:
            group = meta.get("alert_group")
            noticed_at = submitted_datetime(view, "noticed_at")
            incident = declare_incident(
                self.ctx,
                DeclareRequest(
                    title=submitted(view, "title") or "",
                    declared_by=body["user"]["id"],
                    severity=submitted(view, "severity"),
                    service=submitted(view, "service"),
                    commander=submitted(view, "commander"),
                    description=submitted(view, "description"),
                    customer_impact=submitted(view, "customer_impact"),
                    response_url=meta.get("response_url"),
                    # Declared from an alert group's triage message: the incident takes its alerts.
                    alert_group_id=whole_number(group, "alert group") if group is not None else None,
                    detected_at=noticed_at,
                ),
            )
        except TimeRefused as exc:
            _form_error(ack, exc, "noticed_at")
            return
        except UnknownService as exc:
            _form_error(ack, exc, "service")
            return
        except FirebellError as exc:
            _form_error(ack, exc, "title")
            return
        label = incident_label(incident.number)
        done = {
            "type": "modal",
            "title": plain(f"{label} declared", limit=24),
            "close": plain("Done"),
            "blocks": [
                section(
                    f":fire: *{label}* ({incident.severity}) is declared. The war room is being set up "
                    "and you will be invited to it in a moment."
                )
            ],
        }
        ack(response_action="update", view=done)

    def update_submitted(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The status-update form: severity and status changes first, then the update itself."""
        meta = metadata(view)
        channel, actor = meta.get("channel"), body["user"]["id"]
        try:
            text = submitted(view, "text")
            if not channel or not text:
                raise FormInputError("text", "Write what changed and what happens next.")
            severity = submitted(view, "severity")
            status = submitted(view, "status")
            if status and status not in _FORM_STATUSES:
                raise FormInputError("status", f"Pick a status: {', '.join(_FORM_STATUSES)}.")
            post_update_from_form(
                self.ctx,
                channel_id=channel,
                actor=actor,
                text=text,
                severity=severity if severity != meta.get("severity") else None,
                status=Status(status) if status and status != meta.get("status") else None,
            )
        except FirebellError as exc:
            _form_error(ack, exc, "text")
            return
        ack()

    def severity_submitted(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The change-severity form."""
        channel = metadata(view).get("channel")
        try:
            severity = submitted(view, "severity")
            if not channel or not severity:
                raise FirebellError("Pick a severity.")
            change_severity(self.ctx, channel_id=channel, actor=body["user"]["id"], severity=severity)
        except FirebellError as exc:
            ack(response_action="errors", errors={"severity": form_error(exc.message)})
            return
        ack()
