"""Public updates in Slack: `/incident statuspage` and the Public update button open the form; a draft is
approved, edited or rejected with the buttons on its war-room message, which is then updated in place.

Every decision is made by the use cases (services/status_page/publishing.py), which check who may draft and who
may publish; the buttons check first too, so a person who may not is told at once rather than shown a form.
"""

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, Respond
from slack_bolt.async_app import AsyncApp
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from firebell.domain.errors import FirebellError, NotPermitted
from firebell.domain.lifecycle import Operation
from firebell.services.changes import guard_snapshot
from firebell.services.context import Context
from firebell.services.status_page.public_views import PublicState, UpdateCard, public_state, update_card
from firebell.services.status_page.publishing import (
    approve_public_update,
    draft_public_update,
    reject_public_update,
)
from firebell.slack.action_values import action_value, whole_number
from firebell.slack.blocks.kit import mention
from firebell.slack.blocks.modals import FormInputError, form_error, metadata, submitted
from firebell.slack.blocks.public_update_form import PublicForm, public_update_modal, read_public_submission
from firebell.slack.blocks.public_updates import PublicAction, card_message, reject_modal
from firebell.slack.blocks.replies import error_reply
from firebell.slack.listeners.after_ack import AfterAck
from firebell.slack.listeners.button_forms import open_form, tell
from firebell.slack.outbox.response_urls import reply

log = logging.getLogger(__name__)

_STALE = {
    "published": "That public update was already published{by}; nothing changed.",
    "rejected": "That public update was already rejected{by}; nothing changed.",
    "superseded": "That draft was replaced by a newer one, so nothing was published. Use the newer draft's buttons.",
}


def _message_of(body: dict[str, Any]) -> tuple[str, str] | None:
    """(channel, ts) of the message a button was pressed on."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    ts = (body.get("container") or {}).get("message_ts") or (body.get("message") or {}).get("ts")
    if isinstance(channel, str) and channel and isinstance(ts, str) and ts:
        return channel, ts
    return None


def _stale(card: UpdateCard) -> str | None:
    """Why a draft's buttons no longer apply (None: it is still a draft)."""
    state = str(card.card["state"])
    if state == "draft":
        return None
    by = f" by {mention(card.card.get('decided_by'))}" if card.card.get("decided_by") else ""
    return _STALE.get(state, _STALE["superseded"]).format(by=by)


class PublicUpdates:
    """Listeners for the public update form, its command and the buttons on drafts."""

    def __init__(self, ctx: Context, after_ack: AfterAck, client: WebClient) -> None:
        self.ctx = ctx
        self.after_ack = after_ack
        self.client = client

    def _may(self, state: PublicState, operation: Operation, user: str) -> bool:
        try:
            guard_snapshot(self.ctx.policy, state.incident, operation, actor=user)
        except NotPermitted:
            return False
        return True

    def _form(self, state: PublicState, user: str, **kwargs: Any) -> dict[str, Any]:
        guard_snapshot(self.ctx.policy, state.incident, Operation.STATUSPAGE, actor=user)
        may_publish = self._may(state, Operation.PUBLISH, user)
        return public_update_modal(self.ctx.policy, state, may_publish=may_publish, **kwargs)

    def register(self, app: AsyncApp, threaded: Callable[[Callable[..., None]], Any]) -> None:
        """Wire the buttons and forms into the Bolt app (each listener on a worker thread)."""
        app.action(PublicAction.OPEN)(threaded(self.open_pressed))
        app.action(PublicAction.APPROVE)(threaded(self.approve_pressed))
        app.action(PublicAction.EDIT)(threaded(self.edit_pressed))
        app.action(PublicAction.REJECT)(threaded(self.reject_pressed))
        app.view(PublicForm.UPDATE)(threaded(self.form_submitted))
        app.view(PublicForm.REJECT)(threaded(self.reject_submitted))

    # -- opening the form ----------------------------------------------------------------------------

    def open_from_command(self, body: dict[str, Any]) -> None:
        """`/incident statuspage` (after its ack): the form, or an ephemeral reply saying why not."""
        response_url = body.get("response_url")
        try:
            state = public_state(self.ctx, channel_id=str(body.get("channel_id") or ""))
            view = self._form(state, str(body.get("user_id")))
        except FirebellError as exc:
            reply(response_url, error_reply(exc.message))
            return
        if body.get("trigger_id"):
            try:
                self.client.views_open(trigger_id=str(body["trigger_id"]), view=view)
                return
            except (SlackApiError, OSError) as exc:
                log.warning("could not open the public update form: %s", exc)
        reply(response_url, error_reply("Slack did not open the public update form in time; run the command again."))

    def open_pressed(self, ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """ "Public update" (kick-off, reminders, the resolved prompt)."""
        ack()
        try:
            number = whole_number(action_value(body), "incident number")
            view = self._form(public_state(self.ctx, number=number), str(body["user"]["id"]))
        except FirebellError as exc:
            self.after_ack.run(tell, respond, exc.message)
            return
        self.after_ack.run(open_form, client, respond, body, view)

    # -- the draft's buttons -------------------------------------------------------------------------

    def _card(self, body: dict[str, Any], respond: Respond) -> UpdateCard | None:
        """The update a draft button names; a stale one is told so (and its message redrawn)."""
        try:
            card = update_card(self.ctx, whole_number(action_value(body), "public update"))
        except FirebellError as exc:
            self.after_ack.run(tell, respond, exc.message)
            return None
        if card is None:
            self.after_ack.run(tell, respond, "That public update no longer exists; nothing changed.")
            return None
        stale = _stale(card)
        if stale is not None:
            self.after_ack.run(tell, respond, stale)
            self.after_ack.run(self._redraw, _message_of(body), int(card.card["update_id"]))
            return None
        return card

    def approve_pressed(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """ "Approve & publish" on a draft: whoever may publish publishes it; the message shows who and when."""
        ack()
        card = self._card(body, respond)
        if card is None:
            return
        update_id = int(card.card["update_id"])
        try:
            approve_public_update(self.ctx, update_id, by=str(body["user"]["id"]))
        except FirebellError as exc:
            self.after_ack.run(tell, respond, exc.message)
            self.after_ack.run(self._redraw, _message_of(body), update_id)
            return
        self.after_ack.run(self._redraw, _message_of(body), update_id)

    def edit_pressed(self, ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """ "Edit" on a draft: the form, prefilled with it; submitting replaces the draft."""
        ack()
        card = self._card(body, respond)
        if card is None:
            return
        try:
            state = public_state(self.ctx, number=card.incident_number)
            view = self._form(state, str(body["user"]["id"]), draft=card.card, edited_message=_message_of(body))
        except FirebellError as exc:
            self.after_ack.run(tell, respond, exc.message)
            return
        self.after_ack.run(open_form, client, respond, body, view)

    def reject_pressed(self, ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """ "Reject" on a draft: whoever may publish is asked why."""
        ack()
        card = self._card(body, respond)
        if card is None:
            return
        try:
            state = public_state(self.ctx, number=card.incident_number)
            guard_snapshot(self.ctx.policy, state.incident, Operation.PUBLISH, actor=str(body["user"]["id"]))
        except FirebellError as exc:
            self.after_ack.run(tell, respond, exc.message.replace("publish a public update", "reject a public update"))
            return
        view = reject_modal(int(card.card["update_id"]), card.incident_number, _message_of(body))
        self.after_ack.run(open_form, client, respond, body, view)

    def _redraw(self, message: tuple[str, str] | None, update_id: int, reason: str | None = None) -> None:
        """Show a draft's message as it stands now (published, rejected, superseded), without its buttons."""
        card = update_card(self.ctx, update_id)
        if message is None or card is None or card.channel_id != message[0]:  # only its own war room's message
            return
        try:
            rendered = card_message(card.card, self.ctx.policy, reason=reason)
            self.client.chat_update(channel=message[0], ts=message[1], **rendered.as_args())
        except (SlackApiError, OSError) as exc:
            log.warning("could not update a public update's message: %s", exc)

    # -- forms ---------------------------------------------------------------------------------------

    def form_submitted(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The public update form: a draft for approval, or (whoever may publish) published now."""
        has_title = any(b.get("block_id") == "title" for b in view.get("blocks") or [])
        may_publish = any(b.get("block_id") == "draft_only" for b in view.get("blocks") or [])
        try:
            sub = read_public_submission(self.ctx.policy, view, may_publish=may_publish)
            draft_public_update(
                self.ctx,
                number=sub.number,
                by=str(body["user"]["id"]),
                status=sub.status,
                body=sub.body,
                components=dict(sub.components),
                title=sub.title,
                publish=sub.publish,
            )
        except FormInputError as exc:
            ack(response_action="errors", errors=exc.errors())
            return
        except FirebellError as exc:
            field = "title" if has_title and "title" in exc.message else "body"
            ack(response_action="errors", errors={field: form_error(exc.message)})
            return
        ack()
        if sub.edited_message is not None and sub.edited_update is not None:  # the edited draft was replaced
            self.after_ack.run(self._redraw, sub.edited_message, sub.edited_update)

    def reject_submitted(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The reject form: the draft is turned down, and its message says by whom and why."""
        meta = metadata(view)
        try:
            update_id = whole_number(meta.get("update"), "public update")
            reason = submitted(view, "reason") or ""
            reject_public_update(self.ctx, update_id, by=str(body["user"]["id"]), reason=reason)
        except FormInputError as exc:
            ack(response_action="errors", errors=exc.errors())
            return
        except FirebellError as exc:
            ack(response_action="errors", errors={"reason": form_error(exc.message)})
            return
        ack()
        channel, ts = meta.get("message_channel"), meta.get("message_ts")
        if channel and ts:
            self.after_ack.run(self._redraw, (channel, ts), update_id, reason)
