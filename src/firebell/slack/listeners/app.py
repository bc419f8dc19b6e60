"""The Bolt app: wires Slack's commands, interactions and events to Firebell's listeners.

It is Bolt's async app: `/incident` and `/oncall` are recorded in the inbox and acknowledged on the event loop, and an
inbox worker carries it out and answers (commands.py, inbox.py); buttons, forms and events, whose acks
carry what they did (a form's validation errors, say), run on worker threads and commit before their
ack (on_worker.py).
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.web.async_client import AsyncWebClient

from firebell.runbooks.shelf import Shelf
from firebell.services.context import Context
from firebell.slack.blocks.alert_notes import CLAIM_COMMAND
from firebell.slack.blocks.alert_triage import TriageActionId, TriageForm
from firebell.slack.blocks.incident import ActionId
from firebell.slack.blocks.modals import CallbackId
from firebell.slack.blocks.paging import PageActionId
from firebell.slack.blocks.review import ReviewAction, ReviewForm
from firebell.slack.blocks.runbooks import RunbookAction
from firebell.slack.listeners.after_ack import AfterAck
from firebell.slack.listeners.alert_incidents import AlertIncidents
from firebell.slack.listeners.alert_triage import Triage
from firebell.slack.listeners.commands import KIND, IncidentCommand
from firebell.slack.listeners.events import Events
from firebell.slack.listeners.inbox import InboxHandler, InboxRecorder
from firebell.slack.listeners.interactions import Interactions
from firebell.slack.listeners.on_worker import on_worker
from firebell.slack.listeners.oncall import COMMAND as ONCALL_COMMAND
from firebell.slack.listeners.oncall import KIND as ONCALL_KIND
from firebell.slack.listeners.oncall import OncallSlashCommand
from firebell.slack.listeners.paging import Paging
from firebell.slack.listeners.public_updates import PublicUpdates
from firebell.slack.listeners.review import Review
from firebell.slack.listeners.runbooks import Runbooks
from firebell.slack.outbox.directory import SlackDirectory

COMMAND = "/incident"


@dataclass(frozen=True)
class BoltWiring:
    """The Bolt app, and what carries out the requests its listeners record in the inbox (by kind)."""

    app: AsyncApp
    inbox_handlers: dict[str, InboxHandler]


class _IntendedTokenSetup(logging.Filter):
    """Bolt warns that SLACK_BOT_TOKEN in the environment goes unused when a client and an authorize
    function are given; that is how Firebell is wired, so the warning is noise in the service's log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not message.startswith(("As you gave `client` as well", "As `installation_store` or `authorize`"))


logging.getLogger("slack_bolt.AsyncApp").addFilter(_IntendedTokenSetup())

# Listeners on worker threads at once. More threads than this only fight over the GIL: at 16 concurrent
# slash commands on 2 cores, anyio's default of 40 gave an ack p99 of 62 ms for `help` and 200 ms for
# `note`; 8 gave 15 ms and 105 ms (bench/ack.py, before commands were acknowledged first).
LISTENER_THREADS = 8


async def _link_pressed(ack: AsyncAck) -> None:
    """URL buttons (open the war room) still send an action; acknowledge it."""
    await ack()


async def _ignore() -> None:
    """Events Firebell subscribes to but does not act on (Bolt acknowledges events itself)."""


def build_bolt_app(
    ctx: Context,
    *,
    client: WebClient,
    async_client: AsyncWebClient,
    signing_secret: str,
    directory: SlackDirectory,
    after_ack: AfterAck,
    recorder: InboxRecorder,
    shelf: Shelf,
) -> BoltWiring:
    """A Bolt app for one workspace. It never calls Slack to authorize, so a Slack outage cannot block acks.

    `client` is what listeners call Slack with (from threads); `async_client` is Bolt's own, which
    Socket Mode uses to open its connection.
    """
    token = client.token

    async def authorize(enterprise_id: str | None, team_id: str | None, **_: Any) -> AuthorizeResult:
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_token=token,
            bot_user_id=directory.cached_bot_user_id,
        )

    app = AsyncApp(
        name="firebell",  # without a name Bolt walks the caller's stack (inspect.stack) to make one up
        client=async_client,
        signing_secret=signing_secret,
        authorize=authorize,
        # The response goes back when the listener returns: listeners ack and hand anything slow to a
        # pool, so nothing slow runs first. (With False, Bolt polls for the ack every 10 ms, adding that
        # much to every response.)
        process_before_response=True,
        raise_error_for_unhandled_request=False,
        # /slack/events checks the signature and its age before Bolt sees a request (api/slack_edge.py), and
        # Socket Mode requests are not signed: a second HMAC per request bought nothing.
        request_verification_enabled=False,
    )
    limiter = anyio.CapacityLimiter(LISTENER_THREADS)

    def threaded(listener: Callable[..., None]) -> Any:
        return on_worker(listener, ctx=ctx, client=client, limiter=limiter)

    review = Review(ctx, after_ack)
    runbooks = Runbooks(ctx, shelf, after_ack)
    paging = Paging(ctx, after_ack)
    public_updates = PublicUpdates(ctx, after_ack, client)
    command = IncidentCommand(
        ctx,
        client=client,
        directory=directory,
        after_ack=after_ack,
        recorder=recorder,
        review=review,
        runbooks=runbooks,
        paging=paging,
        public_updates=public_updates,
    )
    oncall = OncallSlashCommand(ctx, after_ack=after_ack, recorder=recorder, directory=directory)
    interactions = Interactions(ctx, after_ack)
    alert_incidents = AlertIncidents(ctx, after_ack)
    events = Events(ctx)
    triage = Triage(ctx, after_ack)

    app.command(COMMAND)(command)
    app.command(ONCALL_COMMAND)(oncall)
    app.action(ActionId.POST_UPDATE)(threaded(interactions.open_update_form))
    app.action(ActionId.CHANGE_SEVERITY)(threaded(interactions.open_severity_form))
    for action_id in (ActionId.MITIGATE, ActionId.RESOLVE, ActionId.REOPEN):
        app.action(action_id)(threaded(interactions.lifecycle_button))
    app.action(ActionId.OPEN_WAR_ROOM)(_link_pressed)
    app.action(CLAIM_COMMAND)(threaded(alert_incidents.claim_pressed))
    app.action(re.compile(rf"^{re.escape(ActionId.SNOOZE)}\.\d+$"))(threaded(interactions.snooze_button))
    app.view(CallbackId.DECLARE)(threaded(interactions.declare_submitted))
    app.view(CallbackId.UPDATE)(threaded(interactions.update_submitted))
    app.view(CallbackId.SEVERITY)(threaded(interactions.severity_submitted))
    # Chooser buttons are runbook.post; kick-off suggestions are runbook.post.<i> (unique per message).
    app.action(re.compile(rf"^{re.escape(RunbookAction.POST)}(\.\d+)?$"))(threaded(runbooks.post_pressed))
    app.action(re.compile(rf"^{re.escape(RunbookAction.STEP_DONE)}\.\d+$"))(threaded(runbooks.step_pressed))
    app.action(ReviewAction.EDIT)(threaded(review.edit_pressed))
    app.action(ReviewAction.ADD_ACTION)(threaded(review.add_action_pressed))
    app.action(ReviewAction.DONE)(threaded(review.done_pressed))
    app.action(ReviewAction.REASSIGN)(threaded(review.reassign_picked))
    app.action(ReviewAction.CLOSE)(threaded(review.close_confirmed))
    app.view(ReviewForm.SECTIONS)(threaded(review.sections_submitted))
    app.view(ReviewForm.ACTION)(threaded(review.action_submitted))
    app.action(TriageActionId.DECLARE)(threaded(triage.declare_pressed))
    app.action(TriageActionId.ATTACH)(threaded(triage.attach_pressed))
    app.action(TriageActionId.DECLINE)(threaded(triage.decline_pressed))
    app.action(TriageActionId.ACKNOWLEDGE)(threaded(triage.acknowledge_pressed))
    app.view(TriageForm.ATTACH)(threaded(triage.attach_submitted))
    app.view(TriageForm.DECLINE)(threaded(triage.decline_submitted))
    app.action(PageActionId.ACKNOWLEDGE)(threaded(paging.acknowledge_pressed))
    app.action(PageActionId.DECLINE)(threaded(paging.decline_pressed))
    app.action(PageActionId.ESCALATE)(threaded(paging.escalate_pressed))
    public_updates.register(app, threaded)
    app.event("reaction_added")(threaded(events.reaction_added))
    # Anything else Slack sends (other subscribed events) is acknowledged, so Slack does not retry it.
    app.event(re.compile(".*"))(_ignore)
    return BoltWiring(app=app, inbox_handlers={KIND: command, ONCALL_KIND: oncall})
