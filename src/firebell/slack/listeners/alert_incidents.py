"""Buttons of alert-born incidents: "I'm the IC" on a kick-off nobody leads yet."""

import logging
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk.errors import SlackApiError

from firebell.domain.errors import FirebellError
from firebell.services.context import Context
from firebell.services.roles import AlreadyCommanded, claim_command
from firebell.slack.action_values import action_value, is_id
from firebell.slack.blocks.incident import Message
from firebell.slack.blocks.kit import mention
from firebell.slack.blocks.replies import confirmation, error_reply
from firebell.slack.listeners.after_ack import AfterAck

log = logging.getLogger(__name__)


def _say(respond: Respond, message: Message) -> None:
    try:
        respond(text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=False)
    except (SlackApiError, OSError) as exc:
        log.warning("could not send an ephemeral reply: %s", exc)


class AlertIncidents:
    """Listeners for what only alert-born incidents show."""

    def __init__(self, ctx: Context, after_ack: AfterAck) -> None:
        self.ctx = ctx
        self.after_ack = after_ack

    def claim_pressed(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """ "I'm the IC": the first to press takes command; a later press is told who leads."""
        ack()
        value, actor = action_value(body), str(body["user"]["id"])
        try:
            if not is_id(value):
                raise FirebellError("This button does not name an incident.")
            incident = claim_command(self.ctx, number=int(value), actor=actor)
        except AlreadyCommanded as exc:
            text = (
                f":information_source: {mention(exc.commander)} is already the Incident Commander of "
                f"*{exc.label}*. Ask them to hand over with `/incident commander @you` if you should lead."
            )
            self.after_ack.run(_say, respond, confirmation(text))
            return
        except FirebellError as exc:
            self.after_ack.run(_say, respond, error_reply(exc.message))
            return
        text = f":white_check_mark: You are the Incident Commander of *{incident.label}*."
        self.after_ack.run(_say, respond, confirmation(text))
