"""The triage message's buttons (Declare, Attach to incident, Decline, Acknowledge) and the attach and
decline forms. Each runs on a worker thread through `on_worker`, so a Slack retry or a replay (the same
trigger_id) is recognised by the inbox's seal and changes nothing twice."""

import logging
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from firebell.domain.affected_service import alert_service
from firebell.domain.alert_triage import TriageAction
from firebell.domain.errors import FirebellError
from firebell.services.alerts.triage import GroupSummary, acknowledge, attach, check_action, decline, open_incidents
from firebell.services.context import Context
from firebell.slack.action_values import action_value, whole_number
from firebell.slack.blocks.alert_triage import attach_modal, decline_modal
from firebell.slack.blocks.modals import FormInputError, declare_modal, form_error, metadata, submitted
from firebell.slack.listeners.after_ack import AfterAck
from firebell.slack.listeners.button_forms import open_form, tell

log = logging.getLogger(__name__)


def _declare_description(group: GroupSummary) -> str:
    service = f", service {group.service}" if group.service else ""
    return f"Declared from alert group {group.id} (source {group.source}{service})."


class Triage:
    """Bolt listeners for alert triage."""

    def __init__(self, ctx: Context, after_ack: AfterAck) -> None:
        self.ctx = ctx
        self.after_ack = after_ack

    def _checked(self, body: dict[str, Any], respond: Respond, action: TriageAction) -> GroupSummary | None:
        try:
            return check_action(self.ctx, whole_number(action_value(body), "alert group"), action)
        except FirebellError as exc:
            self.after_ack.run(tell, respond, exc.message)
            return None

    # -- buttons -----------------------------------------------------------------------------------

    def declare_pressed(self, ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """ "Declare": the declare form, prefilled from the group; submitting it links the group."""
        ack()
        group = self._checked(body, respond, TriageAction.DECLARE)
        if group is None:
            return
        view = declare_modal(
            self.ctx.policy,
            metadata={"alert_group": str(group.id)},
            title=group.title,
            severity=group.severity,
            description=_declare_description(group),
            service=alert_service(self.ctx.policy, group.service),
        )
        self.after_ack.run(open_form, client, respond, body, view)

    def attach_pressed(self, ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """ "Attach to incident": pick an open incident."""
        ack()
        group = self._checked(body, respond, TriageAction.ATTACH)
        if group is None:
            return
        incidents = open_incidents(self.ctx)
        if not incidents:
            self.after_ack.run(tell, respond, "There is no open incident to attach these alerts to; declare one.")
            return
        self.after_ack.run(open_form, client, respond, body, attach_modal(group.id, incidents))

    def decline_pressed(self, ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """ "Decline": ask why."""
        ack()
        group = self._checked(body, respond, TriageAction.DECLINE)
        if group is not None:
            self.after_ack.run(open_form, client, respond, body, decline_modal(group.id, group.title))

    def acknowledge_pressed(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """ "Acknowledge": someone is looking, no incident yet."""
        ack()
        try:
            group_id = whole_number(action_value(body), "alert group")
            acknowledge(self.ctx, group_id=group_id, actor=body["user"]["id"])
        except FirebellError as exc:
            self.after_ack.run(tell, respond, exc.message)

    # -- forms -------------------------------------------------------------------------------------

    def attach_submitted(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The attach form."""
        try:
            group_id = whole_number(metadata(view).get("alert_group"), "alert group")
            number = submitted(view, "incident")
            if number is None:
                raise FormInputError("incident", "Pick an open incident.")
            attach(
                self.ctx, group_id=group_id, number=whole_number(number, "incident number"), actor=body["user"]["id"]
            )
        except FormInputError as exc:
            ack(response_action="errors", errors=exc.errors())
            return
        except FirebellError as exc:
            ack(response_action="errors", errors={"incident": form_error(exc.message)})
            return
        ack()

    def decline_submitted(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The decline form."""
        try:
            group_id = whole_number(metadata(view).get("alert_group"), "alert group")
            reason = submitted(view, "reason")
            if reason is None:
                raise FormInputError("reason", "Pick a reason.")
            decline(self.ctx, group_id=group_id, actor=body["user"]["id"], reason=reason, note=submitted(view, "note"))
        except FormInputError as exc:
            ack(response_action="errors", errors=exc.errors())
            return
        except FirebellError as exc:
            ack(response_action="errors", errors={"reason": form_error(exc.message)})
            return
        ack()
