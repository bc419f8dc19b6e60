"""The `/incident` slash command: record it as it is acknowledged, carry it out, then answer the person.

The listener runs on the event loop and does only what needs no work before acknowledging: parsing, and
`help` and usage errors, which it answers in the ack itself. Everything else is recorded in the inbox and
then acknowledged empty, so an acknowledged command survives a crash; an inbox worker carries it out
(`carry_out`, in order per war room and per declarer) and tells what happened through the command's
response_url once it has been committed, so a person is never told of a change the store does not hold.
Slack itself is otherwise called afterwards (opening a modal) or by the gateway (everything the change
queued).
"""

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from firebell.domain.cadence import CADENCE_KINDS, cadence_report
from firebell.domain.errors import FirebellError, NotAnIncidentChannel, UsageError
from firebell.domain.free_text import refuse_nul
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.incident_times import parse_moment
from firebell.domain.lifecycle import Action
from firebell.domain.naming import incident_label
from firebell.services import inbox
from firebell.services.context import Context
from firebell.services.incident_times import set_time, times_of
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
    error_reply,
    help_reply,
    list_reply,
    status_reply,
    timeline_reply,
)
from firebell.slack.blocks.times import time_set_reply, times_reply
from firebell.slack.declare_grammar import Declare
from firebell.slack.grammar import (
    AddAction,
    AddNote,
    AssignRole,
    ChangeSeverity,
    CloseReview,
    Command,
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
    StatusPage,
    Times,
    parse_command,
)
from firebell.slack.listeners.after_ack import AfterAck
from firebell.slack.listeners.inbox import InboxRecorder, request_key
from firebell.slack.listeners.paging import Paging
from firebell.slack.listeners.public_updates import PublicUpdates
from firebell.slack.listeners.review import Review
from firebell.slack.listeners.runbooks import Runbooks
from firebell.slack.listeners.status_maintenance import StatusMaintenanceCommands
from firebell.slack.maintenance_grammar import CancelMaintenance, ListMaintenance, ScheduleMaintenance
from firebell.slack.outbox.directory import SlackDirectory
from firebell.slack.outbox.response_urls import reply
from firebell.slack.page_grammar import AckPage, EscalatePage, PageSomeone

log = logging.getLogger(__name__)

_LIFECYCLE = {Mitigate: Action.MITIGATE, Resolve: Action.RESOLVE, Reopen: Action.REOPEN}
_DONE = {Action.MITIGATE: "mitigated", Action.RESOLVE: "resolved", Action.REOPEN: "reopened"}


async def _ack(ack: AsyncAck, message: Message) -> None:
    await ack(text=message.text, blocks=message.blocks, response_type="ephemeral")


_INTERNAL = "Firebell hit an internal error and logged it. Please try again."
_NOT_RECORDED = (
    "Firebell could not record this command (its database did not answer), so nothing was done. Please try again."
)
KIND = "command"
# How long an acknowledgement waits for its inbox record before it goes out anyway (Slack allows 3 s).
RECORD_BUDGET = 2.0


class IncidentCommand:
    """Handles `/incident <subcommand>`."""

    def __init__(
        self,
        ctx: Context,
        *,
        client: WebClient,
        directory: SlackDirectory,
        after_ack: AfterAck,
        recorder: InboxRecorder,
        review: Review,
        runbooks: Runbooks,
        paging: Paging,
        public_updates: PublicUpdates,
    ) -> None:
        self.ctx = ctx
        self.client = client
        self.directory = directory
        self.after_ack = after_ack
        self.recorder = recorder
        self.review = review
        self.runbooks = runbooks
        self.paging = paging
        self.maintenance = StatusMaintenanceCommands(ctx)
        self.public_updates = public_updates
        # The policy is fixed for the process's life, so help is built once, not on every request.
        self._help = help_reply(ctx.policy)
        self._late: set[asyncio.Future[None]] = set()  # records still committing after their ack

    async def __call__(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """Bolt listener, on the event loop: nothing here waits on Slack; only on the inbox's (batched) insert."""
        text = str(body.get("text") or "")
        try:
            refuse_nul(text, "command")
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
        user, channel = body.get("user_id"), body.get("channel_id")
        if not user or not channel:
            await _ack(ack, error_reply("Slack sent this command without a user or channel; nothing was done."))
            return
        if (isinstance(command, Declare) and command.title is None) or isinstance(command, StatusPage):
            await ack()  # a form: opened with the command's trigger, which lasts 3 s, after the ack
            self.after_ack.run(self._open_form, body, command)
            return
        # A war room's commands are carried out in the order they came, and so are one person's declares;
        # other rooms and people go alongside, so a slow or locked incident holds up only its own room.
        lane = f"declarer:{user}" if isinstance(command, Declare) else f"channel:{channel}"
        payload = {
            "text": text,
            "user_id": str(user),
            "channel_id": str(channel),
            "response_url": body.get("response_url"),
        }
        recording = asyncio.ensure_future(
            self.recorder.record(inbox.Request(key=request_key(body), kind=KIND, lane=lane, payload=payload))
        )
        try:
            await asyncio.wait_for(asyncio.shield(recording), RECORD_BUDGET)
        except TimeoutError:
            # The store is held by a long write (SQLite has one writer): Slack's 3 s run out before the
            # record commits. Acknowledge anyway; the record lands when the writer is done.
            log.warning("acknowledged /incident before its inbox record committed (the database is slow)")
            self._late.add(recording)
            recording.add_done_callback(self._late.discard)
        except Exception:
            await _ack(ack, error_reply(_NOT_RECORDED))
            return
        await ack()

    def carry_out(self, entry: inbox.Claimed) -> None:
        """Carry out a recorded command (on an inbox worker) and tell the person what happened.

        Refusals are answered; anything else that fails propagates to the worker, which retries database
        failures and answers `give_up` for the rest.
        """
        payload = entry.payload
        user, channel, response_url = payload["user_id"], payload["channel_id"], payload.get("response_url")
        try:
            command = parse_command(payload["text"], self.ctx.policy)
            message = self.run(command, user=user, channel=channel, response_url=response_url)
        except FirebellError as exc:
            message = error_reply(exc.message)
        if message is None:
            return
        # Telling them waits on Slack, and may wait out a Slack outage: not on a thread that does commands.
        self.after_ack.run(reply, response_url, message, in_order_of=entry.lane)

    def give_up(self, entry: inbox.Claimed, error: str) -> None:
        """Tell the person their command could not be carried out."""
        log.error("/incident %r was given up: %s", entry.payload.get("text", "")[:40], error)
        self.after_ack.run(reply, entry.payload.get("response_url"), error_reply(_INTERNAL), in_order_of=entry.lane)

    def run(self, command: Command, *, user: str, channel: str, response_url: str | None) -> Message | None:  # noqa: PLR0911, PLR0912 (one case per subcommand)
        """Carry out a parsed command and say what happened, for the caller's eyes only (None: the change
        queued its own answer).

        One case per subcommand: adding a subcommand touches the grammar and one case here.
        """
        ctx = self.ctx
        match command:
            case ListOpen():
                return list_reply(list_incidents(ctx, open_only=True, limit=100), now=ctx.clock())
            case Declare(title=str(title), severity=severity, detected=detected, service=service):
                now = ctx.clock()
                request = DeclareRequest(
                    title=title,
                    declared_by=user,
                    severity=severity,
                    service=service,
                    response_url=response_url,
                    confirm=True,
                    detected_at=parse_moment(detected, now=now) if detected else None,
                )
                declare_incident(ctx, request)
                return None  # answered through the outbox, with the change, before "war room is ready"
            case AddAction() | ListActions() | RegeneratePostmortem() | CloseReview():
                return self.review.run(command, user=user, channel=channel)
            case FindRunbook():
                return self.runbooks.find(command, channel=channel)
            case PageSomeone() | AckPage() | EscalatePage():
                return self.paging.run(command, user=user, channel=channel)
            case ListMaintenance() | ScheduleMaintenance() | CancelMaintenance():
                return self.maintenance.run(command, user=user)
            case Handover(user_id=who):
                return self._assign(user=user, channel=channel, role="commander", who=who)
            case AssignRole(role=role, user_id=who):
                return self._assign(user=user, channel=channel, role=role, who=who)
            case ChangeSeverity(severity=severity):
                incident = change_severity(ctx, channel_id=channel, actor=user, severity=severity)
                return confirmation(f"{incident_label(incident.number)} is now *{incident.severity}*.")
            case PostUpdate(text=text):
                incident = post_update(ctx, channel_id=channel, actor=user, text=text)
                return confirmation(f":loudspeaker: Update posted for {incident_label(incident.number)}.")
            case AddNote(text=text):
                incident = add_note(ctx, channel_id=channel, actor=user, text=text)
                return confirmation(f":memo: Noted on the {incident_label(incident.number)} timeline.")
            case Mitigate() | Resolve() | Reopen():
                action = _LIFECYCLE[type(command)]
                incident = change_status(ctx, channel_id=channel, actor=user, action=action, text=command.text)
                return confirmation(f"{incident_label(incident.number)} is {_DONE[action]}.")
            case ShowStatus():
                snapshot = self._war_room(channel)
                now = ctx.clock()
                with ctx.db.read() as session:
                    report = cadence_report(timeline_of(session, snapshot.id, kinds=CADENCE_KINDS), now=now)
                return status_reply(snapshot, ctx.policy, now=now, report=report)
            case Times():
                return self._times(command, user=user, channel=channel)
            case StatusPage():  # opened from the ack (it needs the trigger); a replayed one says so
                raise UsageError("`/incident statuspage` opens a form; run it again to open it.")
            case ShowTimeline():
                snapshot = self._war_room(channel)
                with ctx.db.read() as session:
                    entries = timeline_of(session, snapshot.id, limit=MAX_TIMELINE_LINES)
                    total = count_events(session, snapshot.id)
                return timeline_reply(snapshot, entries, total=total)
        raise UsageError("Unknown subcommand. Try `/incident help`.")

    def _times(self, command: Times, *, user: str, channel: str) -> Message:
        """`/incident times` shows the key times; `/incident times impact 13:50` sets one."""
        if command.field is None or command.when is None:
            view = times_of(self.ctx, channel_id=channel)
            return times_reply(view.incident, view.times, first_alert_at=view.first_alert_at)
        done = set_time(self.ctx, channel_id=channel, actor=user, field=command.field, text=command.when)
        changed = done.previous != done.moment
        view = done.view
        return time_set_reply(view.incident, view.times, command.field, done.moment, done.warnings, changed=changed)

    def _assign(self, *, user: str, channel: str, role: str, who: str) -> Message:
        if who == self.directory.cached_bot_user_id:
            raise UsageError("Firebell cannot hold a role; pick a person.")
        incident = assign_role(self.ctx, channel_id=channel, actor=user, role=role, user_id=who)
        what = "the Incident Commander" if role == "commander" else role
        return confirmation(f"{mention(who)} is now {what} of {incident_label(incident.number)}.")

    def _war_room(self, channel: str) -> IncidentSnapshot:
        snapshot = incident_for_channel(self.ctx, channel)
        if snapshot is None:
            raise NotAnIncidentChannel(
                "This isn't an incident channel. Run this in an incident's war room (`/incident list` shows them)."
            )
        return snapshot

    def _open_form(self, body: dict[str, Any], command: Declare | StatusPage) -> None:
        if isinstance(command, StatusPage):
            self.public_updates.open_from_command(body)
        else:
            self._open_declare_form(body, command)

    def _open_declare_form(self, body: dict[str, Any], command: Declare) -> None:
        metadata = {"channel": body.get("channel_id"), "response_url": body.get("response_url")}
        try:  # `declare --detected 20m ago` without a title: the form opens with "Noticed at" filled in
            noticed_at = parse_moment(command.detected, now=self.ctx.clock()) if command.detected else None
        except FirebellError as exc:
            reply(body.get("response_url"), error_reply(exc.message))
            return
        view = declare_modal(self.ctx.policy, metadata=metadata, noticed_at=noticed_at, service=command.service)
        if command.severity:
            for block in view["blocks"]:
                if block["block_id"] == "severity":
                    element = block["element"]
                    element["initial_option"] = next(o for o in element["options"] if o["value"] == command.severity)
        if body.get("trigger_id"):  # Slack sends one with every command; without it no form can open
            try:
                self.client.views_open(trigger_id=str(body["trigger_id"]), view=view)
                return
            except (SlackApiError, OSError) as exc:
                log.warning("could not open the declare form: %s", exc)
        message = error_reply(
            "Slack did not open the declare form in time. "
            "Declare directly instead: /incident declare [sev1|sev2|sev3|sev4] <title>"
        )
        reply(body.get("response_url"), message)
