"""Runbooks in Slack: `/incident runbook [query]`, posting a checklist, pressing Done on a step."""

import logging
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk.errors import SlackApiError

from firebell.domain.errors import FirebellError
from firebell.domain.lifecycle import Operation, check_allowed
from firebell.runbooks.shelf import Shelf
from firebell.services.context import Context
from firebell.services.incidents import incident_for_channel
from firebell.services.runbooks import RunbookNotFound, complete_step, incident_query, matches_for, post_runbook
from firebell.slack.action_values import action_value, runbook_step
from firebell.slack.blocks.incident import Message
from firebell.slack.blocks.replies import confirmation, error_reply
from firebell.slack.blocks.runbooks import chooser_message
from firebell.slack.grammar import FindRunbook
from firebell.slack.listeners.after_ack import AfterAck

log = logging.getLogger(__name__)


def _say(respond: Respond, message: Message) -> None:
    try:
        respond(text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=False)
    except (SlackApiError, OSError) as exc:
        log.warning("could not send an ephemeral reply: %s", exc)


class Runbooks:
    """Listeners and command handling for runbooks."""

    def __init__(self, ctx: Context, shelf: Shelf, after_ack: AfterAck) -> None:
        self.ctx = ctx
        self.shelf = shelf
        self.after_ack = after_ack

    def find(self, command: FindRunbook, *, channel: str) -> Message:
        """The runbooks for this incident, or for the query, to choose from (only the caller sees it)."""
        incident = incident_for_channel(self.ctx, channel)
        if incident is None:
            raise FirebellError("Runbooks are posted in an incident's war room; run this there.")
        check_allowed(incident.status, Operation.RUNBOOKS, label=incident.label)  # a closed one posts no more
        query = command.query or incident_query(incident.title, incident.description)
        library = self.shelf.library
        return chooser_message(matches_for(library, query), query=query, everything=library.all())

    def post_pressed(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """ "Post checklist" (from the chooser or the kick-off's suggestions)."""
        ack()
        slug = str(body["actions"][0]["value"])
        channel = (body.get("channel") or {}).get("id")
        try:
            runbook = self.shelf.library.get(slug)
            if runbook is None:
                raise RunbookNotFound(f"The runbook `{slug}` is gone from the runbooks directory.")
            if not channel:
                raise FirebellError("Runbooks are posted in an incident's war room.")
            post_runbook(self.ctx, channel_id=channel, actor=body["user"]["id"], runbook=runbook)
        except FirebellError as exc:
            self.after_ack.run(_say, respond, error_reply(exc.message))
            return
        self.after_ack.run(_say, respond, confirmation(f":books: Posting the *{runbook.title}* checklist."))

    def step_pressed(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """ "Done" on a checklist step."""
        ack()
        try:
            run_id, step = runbook_step(action_value(body))
            complete_step(self.ctx, run_id=run_id, step=step, actor=body["user"]["id"])
        except FirebellError as exc:
            self.after_ack.run(_say, respond, error_reply(exc.message))
