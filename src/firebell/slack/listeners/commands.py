"""The `/incident` slash command: acknowledge at once, act on the store, then answer the person.

The listener runs on the event loop and does only what needs no I/O before acknowledging: parsing, and
`help` and usage errors, which it answers in the ack itself. Everything else is acknowledged empty and
carried out on a worker thread (`answers`); what happened is told through the command's response_url
once it has been committed, so a person is never told of a change the store does not hold. Slack itself
is otherwise called afterwards (opening a modal) or by the gateway (everything the change queued).
"""

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from firebell.domain.cadence import CADENCE_KINDS, cadence_report
from firebell.domain.errors import FirebellError, NotAnIncidentChannel, UsageError
from firebell.domain.lifecycle import Action
from firebell.domain.naming import incident_label
from firebell.services.context import Context
from firebell.services.incidents import DeclareRequest, declare_incident, incident_for_channel, list_incidents
from firebell.services.lifecycle import change_status
from firebell.services.roles import assign_role
from firebell.services.severity import change_severity
from firebell.services.timeline import count_events, timeline_of
from firebell.services.updates import add_note, post_update
from firebell.slack.blocks.incident import Message
from firebell.slack.blocks.kit import mention
from firebell.slack.blocks.modals import declare_modal
from firebell.slack.blocks.replies import (
    MAX_TIMELINE_LINES,
    confirmation,
    declared_reply,
    error_reply,
    help_reply,
    list_reply,
    status_reply,
    timeline_reply,
)
from firebell.slack.grammar import (
    AddAction,
    AddNote,
    AssignRole,
    ChangeSeverity,
    CloseReview,
    Command,
    Declare,
    FindRunbook,
    Handover,
    Help,
    ListActions,
    ListOpen,
    Mitigate,
    PostUpdate,
    RegeneratePostmortem,
    Reopen,
    Resolve,
    ShowStatus,
    ShowTimeline,
    parse_command,
)
from firebell.slack.listeners.after_ack import AfterAck
from firebell.slack.listeners.review import Review
from firebell.slack.listeners.runbooks import Runbooks
from firebell.slack.outbox.directory import SlackDirectory
from firebell.slack.outbox.response_urls import reply

log = logging.getLogger(__name__)

_LIFECYCLE = {Mitigate: Action.MITIGATE, Resolve: Action.RESOLVE, Reopen: Action.REOPEN}
_DONE = {Action.MITIGATE: "mitigated", Action.RESOLVE: "resolved", Action.REOPEN: "reopened"}


async def _ack(ack: AsyncAck, message: Message) -> None:
    await ack(text=message.text, blocks=message.blocks, response_type="ephemeral")


_INTERNAL = "Firebell hit an internal error and logged it. Please try again."


class IncidentCommand:
    """Handles `/incident <subcommand>`."""

    def __init__(
        self,
        ctx: Context,
        *,
        client: WebClient,
        directory: SlackDirectory,
        after_ack: AfterAck,
        answers: AfterAck,
        review: Review,
        runbooks: Runbooks,
    ) -> None:
        self.ctx = ctx
        self.client = client
        self.directory = directory
        self.after_ack = after_ack
        self.answers = answers
        self.review = review
        self.runbooks = runbooks
        # The policy is fixed for the process's life, so help is built once, not on every request.
        self._help = help_reply(ctx.policy)

    async def __call__(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """Bolt listener, on the event loop: nothing here waits on the store or on Slack."""
        text = str(body.get("text") or "")
        try:
            command = parse_command(text, self.ctx.policy)
        except FirebellError as exc:
            await _ack(ack, error_reply(exc.message))
            return
        except Exception:
            log.exception("/incident %r failed", text[:40])
            await _ack(ack, error_reply(_INTERNAL))
            return
        if isinstance(command, Help):
            await _ack(ack, self._help)
            return
        await ack()
        response_url = body.get("response_url")
        if isinstance(command, Declare) and command.title is None:
            self.after_ack.run(self._open_declare_form, body, command)
            return
        user, channel = str(body["user_id"]), str(body["channel_id"])
        # A war room's commands are carried out in the order they came, and so are one person's declares;
        # other rooms and people go alongside, so a slow or locked incident holds up only its own room.
        order = f"declarer:{user}" if isinstance(command, Declare) else f"channel:{channel}"
        self.answers.run(
            self.answer, command, user=user, channel=channel, response_url=response_url, order=order, in_order_of=order
        )

    def answer(
        self, command: Command, *, user: str, channel: str, response_url: str | None, order: str | None = None
    ) -> None:
        """Carry out `command` (on a worker thread) and tell the person what happened; answers with the same
        `order` key are posted in the order their commands were carried out."""
        try:
            message = self.run(command, user=user, channel=channel, response_url=response_url)
        except FirebellError as exc:
            message = error_reply(exc.message)
        except Exception:
            log.exception("/incident %s failed", type(command).__name__)
            message = error_reply(_INTERNAL)
        # Telling them waits on Slack, and may wait out a Slack outage: not on a thread that does commands.
        self.after_ack.run(reply, response_url, message, in_order_of=order)

    def run(self, command: Command, *, user: str, channel: str, response_url: str | None) -> Message:
        """Carry out a parsed command and say what happened, for the caller's eyes only."""
        ctx = self.ctx
        if isinstance(command, ListActions) and command.mine:
            return self.review.run(command, user=user, channel=channel)
        if isinstance(command, ListOpen):
            return list_reply(list_incidents(ctx, open_only=True, limit=100), now=ctx.clock())
        if isinstance(command, Declare):
            assert command.title is not None
            incident = declare_incident(
                ctx,
                DeclareRequest(
                    title=command.title, declared_by=user, severity=command.severity, response_url=response_url
                ),
            )
            return declared_reply(incident)
        return self._in_war_room(command, user=user, channel=channel)

    def _in_war_room(self, command: Command, *, user: str, channel: str) -> Message:  # noqa: PLR0911
        ctx = self.ctx
        if isinstance(command, AddAction | ListActions | RegeneratePostmortem | CloseReview):
            return self.review.run(command, user=user, channel=channel)
        if isinstance(command, FindRunbook):
            return self.runbooks.find(command, channel=channel)
        if isinstance(command, Handover | AssignRole):
            if command.user_id == self.directory.cached_bot_user_id:
                raise UsageError("Firebell cannot hold a role; pick a person.")
            role = "commander" if isinstance(command, Handover) else command.role
            incident = assign_role(ctx, channel_id=channel, actor=user, role=role, user_id=command.user_id)
            what = "the Incident Commander" if role == "commander" else role
            return confirmation(f"{mention(command.user_id)} is now {what} of {incident_label(incident.number)}.")
        if isinstance(command, ChangeSeverity):
            incident = change_severity(ctx, channel_id=channel, actor=user, severity=command.severity)
            return confirmation(f"{incident_label(incident.number)} is now *{incident.severity}*.")
        if isinstance(command, PostUpdate):
            incident = post_update(ctx, channel_id=channel, actor=user, text=command.text)
            return confirmation(f":loudspeaker: Update posted for {incident_label(incident.number)}.")
        if isinstance(command, AddNote):
            incident = add_note(ctx, channel_id=channel, actor=user, text=command.text)
            return confirmation(f":memo: Noted on the {incident_label(incident.number)} timeline.")
        if isinstance(command, Mitigate | Resolve | Reopen):
            action = _LIFECYCLE[type(command)]
            incident = change_status(ctx, channel_id=channel, actor=user, action=action, text=command.text)
            return confirmation(f"{incident_label(incident.number)} is {_DONE[action]}.")
        snapshot = incident_for_channel(ctx, channel)
        if snapshot is None:
            raise NotAnIncidentChannel(
                "This isn't an incident channel. Run this in an incident's war room (`/incident list` shows them)."
            )
        if isinstance(command, ShowStatus):
            now = ctx.clock()
            with ctx.db.read() as session:
                report = cadence_report(timeline_of(session, snapshot.id, kinds=CADENCE_KINDS), now=now)
            return status_reply(snapshot, ctx.policy, now=now, report=report)
        if isinstance(command, ShowTimeline):
            with ctx.db.read() as session:
                entries = timeline_of(session, snapshot.id, limit=MAX_TIMELINE_LINES)
                total = count_events(session, snapshot.id)
            return timeline_reply(snapshot, entries, total=total)
        raise UsageError("Unknown subcommand. Try `/incident help`.")

    def _open_declare_form(self, body: dict[str, Any], command: Declare) -> None:
        metadata = {"channel": body.get("channel_id"), "response_url": body.get("response_url")}
        view = declare_modal(self.ctx.policy, metadata=metadata)
        if command.severity:
            for block in view["blocks"]:
                if block["block_id"] == "severity":
                    element = block["element"]
                    element["initial_option"] = next(o for o in element["options"] if o["value"] == command.severity)
        try:
            self.client.views_open(trigger_id=body["trigger_id"], view=view)
        except (SlackApiError, OSError) as exc:
            log.warning("could not open the declare form: %s", exc)
            message = error_reply(
                "Slack did not open the declare form in time. "
                "Declare directly instead: /incident declare [sev1|sev2|sev3|sev4] <title>"
            )
            reply(body.get("response_url"), message)
