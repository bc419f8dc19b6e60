"""The review in Slack: action item and postmortem commands, their buttons and forms."""

import logging
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from firebell.domain.errors import FirebellError, UsageError
from firebell.domain.lifecycle import Operation
from firebell.domain.naming import incident_label
from firebell.services.action_items import (
    add_action_item,
    complete_item,
    items_of_channel,
    items_of_owner,
    reassign_item,
)
from firebell.services.changes import guard_snapshot
from firebell.services.context import Context
from firebell.services.incidents import get_incident
from firebell.services.lifecycle import OpenActionItems, close_review
from firebell.services.postmortem import postmortem_sections, regenerate_postmortem, save_sections
from firebell.slack.action_values import BadValue, action_value, whole_number
from firebell.slack.blocks.incident import Message
from firebell.slack.blocks.kit import mention
from firebell.slack.blocks.modals import (
    FormInputError,
    form_error,
    metadata,
    submitted,
    submitted_date,
    submitted_datetime,
)
from firebell.slack.blocks.replies import confirmation, error_reply
from firebell.slack.blocks.review import (
    ListScope,
    action_form,
    action_items_message,
    close_confirmation,
    parse_item_block_id,
    sections_form,
)
from firebell.slack.grammar import AddAction, CloseReview, Command, ListActions, RegeneratePostmortem
from firebell.slack.listeners.after_ack import AfterAck
from firebell.slack.listeners.button_forms import open_form

log = logging.getLogger(__name__)


def _say(respond: Respond, message: Message, *, replace: bool = False) -> None:
    try:
        respond(text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=replace)
    except (SlackApiError, OSError) as exc:
        log.warning("could not send an ephemeral reply: %s", exc)


class Review:
    """Listeners and command handling for postmortems and action items."""

    def __init__(self, ctx: Context, after_ack: AfterAck) -> None:
        self.ctx = ctx
        self.after_ack = after_ack

    # -- /incident action | actions | postmortem | close -------------------------------------------

    def run(self, command: Command, *, user: str, channel: str) -> Message:
        """Carry out a review command; the answer is for the caller only."""
        if isinstance(command, AddAction):
            item = add_action_item(
                self.ctx, channel_id=channel, actor=user, text=command.text, owner=command.owner, due=command.due
            )
            owner = mention(item.owner) if item.owner else "no owner yet"
            due = f"due {item.due_on.isoformat()}" if item.due_on else "no due date"
            return confirmation(f":white_check_mark: Action item *#{item.id}* added ({owner}, {due}).")
        if isinstance(command, ListActions):
            return self._list(ListScope.MINE if command.mine else ListScope.ROOM, user=user, channel=channel)
        if isinstance(command, RegeneratePostmortem):
            incident = regenerate_postmortem(self.ctx, channel_id=channel, actor=user)
            return confirmation(
                f":memo: Drafting the {incident_label(incident.number)} postmortem again; it appears here shortly."
            )
        if isinstance(command, CloseReview):
            try:
                incident = close_review(self.ctx, channel_id=channel, actor=user)
            except OpenActionItems as exc:
                return close_confirmation(exc.number, exc.message)
            return confirmation(f":lock: {incident_label(incident.number)} is closed. Thank you for the review.")
        raise UsageError("Unknown review command.")

    # -- buttons -------------------------------------------------------------------------------------

    def edit_pressed(self, ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """ "Edit summary & lessons" on the postmortem summary."""
        ack()
        try:
            number = whole_number(action_value(body), "incident number")
            incident = get_incident(self.ctx, number)
            guard_snapshot(self.ctx.policy, incident, Operation.POSTMORTEM, actor=str(body["user"]["id"]))
            view = sections_form(incident, postmortem_sections(self.ctx, number))
        except FirebellError as exc:
            self.after_ack.run(_say, respond, error_reply(exc.message))
            return
        self.after_ack.run(open_form, client, respond, body, view)

    def add_action_pressed(self, ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """ "Add action item" on the postmortem summary."""
        ack()
        try:
            incident = get_incident(self.ctx, whole_number(action_value(body), "incident number"))
            guard_snapshot(self.ctx.policy, incident, Operation.ACTION_ITEMS, actor=str(body["user"]["id"]))
        except FirebellError as exc:
            self.after_ack.run(_say, respond, error_reply(exc.message))
            return
        self.after_ack.run(open_form, client, respond, body, action_form(incident))

    def _list(self, scope: str, *, user: str, channel: str, note: str | None = None) -> Message:
        """The caller's open items (MINE) or the war room's items (ROOM), with their controls."""
        today = self.ctx.clock().date()
        if scope == ListScope.MINE:
            items = items_of_owner(self.ctx, user)
            return action_items_message(
                items, today=today, title="Your open action items", with_incident=True, scope=scope, note=note
            )
        incident, items = items_of_channel(self.ctx, channel)
        title = f"{incident_label(incident.number)} action items"
        return action_items_message(items, today=today, title=title, scope=scope, note=note)

    def _redraw(self, respond: Respond, body: dict[str, Any], scope: str, note: str) -> None:
        """Replace the list a control was pressed in with its current state, saying what changed."""
        try:
            listing = self._list(scope, user=body["user"]["id"], channel=str(body["channel"]["id"]), note=note)
        except FirebellError:
            listing = confirmation(note)
        _say(respond, listing, replace=True)

    def done_pressed(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """ "Mark done" on an action item: the list it was pressed in is redrawn."""
        ack()
        action = body["actions"][0]
        try:
            item_id = whole_number(action_value(body), "action item")
            _, scope = parse_item_block_id(str(action.get("block_id") or f"item.{item_id}"))
            item = complete_item(self.ctx, item_id=item_id, actor=body["user"]["id"])
        except FirebellError as exc:
            self.after_ack.run(_say, respond, error_reply(exc.message))
            return
        self.after_ack.run(self._redraw, respond, body, scope, f":white_check_mark: Action item *#{item.id}* is done.")

    def reassign_picked(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """A new owner picked in an action item's "Reassign to…" menu: the list is redrawn."""
        ack()
        action = body["actions"][0]
        try:
            item_id, scope = parse_item_block_id(str(action.get("block_id")))
            owner = action.get("selected_user")
            if not isinstance(owner, str) or not owner:
                raise BadValue("Pick the new owner from the menu.")
            item = reassign_item(self.ctx, item_id=item_id, actor=body["user"]["id"], owner=owner)
        except FirebellError as exc:
            self.after_ack.run(_say, respond, error_reply(exc.message))
            return
        note = f"Action item *#{item.id}* now belongs to {mention(item.owner)}."
        self.after_ack.run(self._redraw, respond, body, scope, note)

    def close_confirmed(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """ "Close anyway" after being told action items are still open."""
        ack()
        try:
            number = whole_number(action_value(body), "incident number")
            incident = get_incident(self.ctx, number)
            if incident.channel_id is None:
                raise FirebellError(f"{incident_label(number)} has no war room.")
            close_review(self.ctx, channel_id=incident.channel_id, actor=body["user"]["id"], confirmed=True)
        except FirebellError as exc:
            self.after_ack.run(_say, respond, error_reply(exc.message))
            return
        self.after_ack.run(_say, respond, confirmation(f":lock: {incident_label(number)} is closed."), replace=True)

    # -- forms ---------------------------------------------------------------------------------------

    def sections_submitted(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The postmortem sections form."""
        try:
            save_sections(
                self.ctx,
                number=whole_number(metadata(view).get("number"), "incident number"),
                actor=body["user"]["id"],
                summary=submitted(view, "summary"),
                contributing_factors=submitted(view, "contributing_factors"),
                lessons=submitted(view, "lessons"),
                impact_started_at=submitted_datetime(view, "impact_started_at"),
                review_on=submitted_date(view, "review_on"),
            )
        except FormInputError as exc:
            ack(response_action="errors", errors=exc.errors())
            return
        except FirebellError as exc:
            ack(response_action="errors", errors={"impact_started_at": form_error(exc.message)})
            return
        ack()

    def action_submitted(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The add-action-item form."""
        meta = metadata(view)
        try:
            if not meta.get("channel"):
                raise FirebellError("This incident has no war room yet.")
            add_action_item(
                self.ctx,
                channel_id=str(meta["channel"]),
                actor=body["user"]["id"],
                text=submitted(view, "text") or "",
                owner=submitted(view, "owner"),
                due=submitted_date(view, "due"),
            )
        except FormInputError as exc:
            ack(response_action="errors", errors=exc.errors())
            return
        except FirebellError as exc:
            ack(response_action="errors", errors={"text": form_error(exc.message)})
            return
        ack()
