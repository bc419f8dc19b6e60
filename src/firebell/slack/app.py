"""The Bolt app: wires Slack's commands, interactions and events to Firebell's listeners."""

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient

from firebell.runbooks.shelf import Shelf
from firebell.services.context import Context
from firebell.slack.after_ack import AfterAck
from firebell.slack.blocks import ActionId
from firebell.slack.commands import IncidentCommand
from firebell.slack.directory import SlackDirectory
from firebell.slack.events import Events
from firebell.slack.interactions import Interactions
from firebell.slack.modals import CallbackId
from firebell.slack.review_blocks import ReviewAction, ReviewForm
from firebell.slack.review_listeners import Review
from firebell.slack.runbook_blocks import RunbookAction
from firebell.slack.runbook_listeners import Runbooks

COMMAND = "/incident"


class _IntendedTokenSetup(logging.Filter):
    """Bolt warns that SLACK_BOT_TOKEN in the environment goes unused when a client and an authorize
    function are given; that is how Firebell is wired, so the warning is noise in the service's log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not message.startswith(("As you gave `client` as well", "As `installation_store` or `authorize`"))


logging.getLogger("slack_bolt.App").addFilter(_IntendedTokenSetup())


def build_bolt_app(
    ctx: Context,
    *,
    client: WebClient,
    signing_secret: str,
    directory: SlackDirectory,
    after_ack: AfterAck,
    shelf: Shelf,
    listener_threads: int = 16,
) -> App:
    """A Bolt app for one workspace. It never calls Slack to authorize, so a Slack outage cannot block acks."""
    token = client.token

    def authorize(enterprise_id: str | None, team_id: str | None, **_: Any) -> AuthorizeResult:
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_token=token,
            bot_user_id=directory.cached_bot_user_id,
        )

    app = App(
        client=client,
        signing_secret=signing_secret,
        authorize=authorize,
        # The response goes back when the listener returns: listeners do their (database) work, ack, and
        # hand any Slack call to the after-ack pool, so nothing slow runs first. (With False, Bolt polls
        # for the ack every 10 ms, adding that much to every response.)
        process_before_response=True,
        listener_executor=ThreadPoolExecutor(max_workers=listener_threads, thread_name_prefix="firebell-bolt"),
        raise_error_for_unhandled_request=False,
    )
    review = Review(ctx, after_ack)
    runbooks = Runbooks(ctx, shelf, after_ack)
    command = IncidentCommand(ctx, directory, after_ack, review, runbooks)
    interactions = Interactions(ctx, after_ack)
    events = Events(ctx)

    app.command(COMMAND)(command)
    app.action(ActionId.POST_UPDATE)(interactions.open_update_form)
    app.action(ActionId.CHANGE_SEVERITY)(interactions.open_severity_form)
    for action_id in (ActionId.MITIGATE, ActionId.RESOLVE, ActionId.REOPEN):
        app.action(action_id)(interactions.lifecycle_button)
    app.action(ActionId.OPEN_WAR_ROOM)(interactions.link_button)
    app.action(re.compile(rf"^{re.escape(ActionId.SNOOZE)}\.\d+$"))(interactions.snooze_button)
    app.view(CallbackId.DECLARE)(interactions.declare_submitted)
    app.view(CallbackId.UPDATE)(interactions.update_submitted)
    app.view(CallbackId.SEVERITY)(interactions.severity_submitted)
    # Chooser buttons are runbook.post; kick-off suggestions are runbook.post.<i> (unique per message).
    app.action(re.compile(rf"^{re.escape(RunbookAction.POST)}(\.\d+)?$"))(runbooks.post_pressed)
    app.action(re.compile(rf"^{re.escape(RunbookAction.STEP_DONE)}\.\d+$"))(runbooks.step_pressed)
    app.action(ReviewAction.EDIT)(review.edit_pressed)
    app.action(ReviewAction.ADD_ACTION)(review.add_action_pressed)
    app.action(ReviewAction.DONE)(review.done_pressed)
    app.action(ReviewAction.REASSIGN)(review.reassign_picked)
    app.action(ReviewAction.CLOSE)(review.close_confirmed)
    app.view(ReviewForm.SECTIONS)(review.sections_submitted)
    app.view(ReviewForm.ACTION)(review.action_submitted)
    app.event("reaction_added")(events.reaction_added)
    # Anything else Slack sends (other subscribed events) is acknowledged, so Slack does not retry it.
    app.event(re.compile(".*"))(events.ignore)
    return app
