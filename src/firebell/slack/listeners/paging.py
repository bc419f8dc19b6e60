"""Answering pages: the page DM's buttons (Acknowledge, I can't, Escalate) and `/incident page|ack|escalate`.

The buttons run on a worker thread through `on_worker` (a replay of the same press changes nothing twice), call
the paging use cases, then turn the DM into what happened (who acknowledged, that it passed on) in place of its
buttons; a refusal is told to the presser alone and the DM stays as it was.
"""

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk.errors import SlackApiError

from firebell.domain.errors import FirebellError
from firebell.services.context import Context
from firebell.services.paging.responses import PageAnswer, acknowledge, decline, escalate, page_by_hand
from firebell.slack.action_values import action_value, whole_number
from firebell.slack.blocks.incident import Message
from firebell.slack.blocks.paging import page_answered_message
from firebell.slack.blocks.replies import confirmation
from firebell.slack.listeners.after_ack import AfterAck
from firebell.slack.listeners.button_forms import tell
from firebell.slack.mrkdwn import escape_mrkdwn
from firebell.slack.page_grammar import AckPage, EscalatePage, PageCommand, PageSomeone

log = logging.getLogger(__name__)


def _replace(respond: Respond, message: Message) -> None:
    """Turn the pressed DM into `message`; a failure is logged (the answer is recorded and told in the room)."""
    try:
        respond(text=message.text, blocks=message.blocks, replace_original=True)
    except (SlackApiError, OSError) as exc:
        log.warning("could not update a page DM after its answer: %s", exc)


def _shown_blocks(body: dict[str, Any]) -> list[Any]:
    message = body.get("message")
    blocks = message.get("blocks") if isinstance(message, dict) else None
    return blocks if isinstance(blocks, list) else []


class Paging:
    """Bolt listeners for the page DM's buttons, and the `/incident` paging subcommands."""

    def __init__(self, ctx: Context, after_ack: AfterAck) -> None:
        self.ctx = ctx
        self.after_ack = after_ack

    def _answer(self, body: dict[str, Any], respond: Respond, call: Callable[[str, int], PageAnswer]) -> None:
        try:
            page_id = whole_number(action_value(body), "page")
            answer = call(str(body["user"]["id"]), page_id)
        except FirebellError as exc:
            self.after_ack.run(tell, respond, exc.message)
            return
        self.after_ack.run(_replace, respond, page_answered_message(_shown_blocks(body), answer.text))

    def acknowledge_pressed(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """**Acknowledge**: the escalation stops, they are invited to the war room, the room is told."""
        ack()
        self._answer(body, respond, lambda user, page: acknowledge(self.ctx, user=user, page_id=page))

    def decline_pressed(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """**I can't**: the next step is paged at once."""
        ack()
        self._answer(body, respond, lambda user, page: decline(self.ctx, user=user, page_id=page))

    def escalate_pressed(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """**Escalate**: the next step is paged now, even after an acknowledgement."""
        ack()
        self._answer(body, respond, lambda user, page: escalate(self.ctx, user=user, page_id=page))

    def run(self, command: PageCommand, *, user: str, channel: str) -> Message:
        """`/incident page …`, `ack` or `escalate` in a war room; the answer is for the caller's eyes."""
        match command:
            case PageSomeone(target=target, message=message):
                answer = page_by_hand(self.ctx, channel_id=channel, actor=user, target=target, message=message)
                icon = ":pager:"
            case AckPage():
                answer = acknowledge(self.ctx, user=user, channel_id=channel)
                icon = ":white_check_mark:"
            case EscalatePage():
                answer = escalate(self.ctx, user=user, channel_id=channel)
                icon = ":arrow_double_up:"
        return confirmation(f"{icon} {escape_mrkdwn(answer.text)}")
