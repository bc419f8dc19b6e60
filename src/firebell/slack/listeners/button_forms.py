"""What every button that answers the presser or opens a form needs: an ephemeral reply that never raises,
and a form opened with the press's trigger (refused plainly when Slack sent none or did not open it)."""

import logging
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from firebell.slack.blocks.replies import error_reply

log = logging.getLogger(__name__)


def tell(respond: Respond, text: str) -> None:
    """An ephemeral error reply to whoever pressed; a failure to send it is logged, not raised."""
    try:
        message = error_reply(text)
        respond(text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=False)
    except (SlackApiError, OSError) as exc:
        log.warning("could not send an ephemeral reply: %s", exc)


def open_form(client: WebClient, respond: Respond, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Open `view` with the press's trigger_id; tell the presser when that cannot be done."""
    if not body.get("trigger_id"):  # forged or broken: Slack sends one with every button press
        tell(respond, "Slack sent no trigger for this form; please press the button again.")
        return
    try:
        client.views_open(trigger_id=str(body["trigger_id"]), view=view)
    except (SlackApiError, OSError) as exc:
        log.warning("could not open a form: %s", exc)
        tell(respond, "Slack did not open the form in time; please press the button again.")
