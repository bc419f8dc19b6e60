"""The `/oncall` slash command: who is on call, overrides, covers, temporary schedules and maintenance windows.

Built like `/incident` (commands.py): the listener parses on the event loop and answers `help` and usage errors
in the ack; everything else is recorded in the inbox and acknowledged empty, and an inbox worker carries it out
(in order per person) and answers through the command's response_url once the change is committed. Answers are
only for the person who asked (ephemeral).
"""

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncAck

from firebell.domain.errors import FirebellError, UsageError
from firebell.domain.free_text import refuse_nul
from firebell.domain.oncall.typed_times import parse_length, parse_window, show
from firebell.services import inbox
from firebell.services.context import Context
from firebell.services.oncall.answers import active_overrides, on_call, schedule_config, shifts_between
from firebell.services.oncall.board import board, shifts_of
from firebell.services.oncall.maintenance import end_maintenance, list_maintenance, start_maintenance
from firebell.services.oncall.overrides import MAX_LENGTH, add_override, list_overrides, remove_override
from firebell.services.oncall.temporaries import (
    active_temporaries,
    add_temporary,
    list_temporaries,
    remove_temporary,
)
from firebell.slack.blocks import oncall as blocks
from firebell.slack.blocks.incident import Message
from firebell.slack.blocks.replies import error_reply
from firebell.slack.listeners.after_ack import AfterAck
from firebell.slack.listeners.inbox import InboxRecorder, request_key
from firebell.slack.oncall_grammar import (
    AddOverride,
    AddTemporary,
    Board,
    Cover,
    EndMaintenance,
    ListOverrides,
    ListTemporaries,
    Mine,
    OncallCommand,
    OncallHelp,
    RemoveOverride,
    RemoveTemporary,
    ShowMaintenance,
    ShowSchedule,
    StartMaintenance,
    parse_oncall,
)
from firebell.slack.outbox.directory import SlackDirectory
from firebell.slack.outbox.response_urls import reply

log = logging.getLogger(__name__)

COMMAND = "/oncall"
KIND = "oncall"
SCHEDULE_DAYS = 14
MY_DAYS = 30
RECORD_BUDGET = 2.0  # as /incident: how long an ack waits for its inbox record (Slack allows 3 s)
_UTC = ZoneInfo("UTC")
_INTERNAL = "Firebell hit an internal error and logged it. Please try again."
_NOT_RECORDED = (
    "Firebell could not record this command (its database did not answer), so nothing was done. Please try again."
)


class OncallSlashCommand:
    """Handles `/oncall <subcommand>`."""

    def __init__(
        self, ctx: Context, *, after_ack: AfterAck, recorder: InboxRecorder, directory: SlackDirectory
    ) -> None:
        self.ctx = ctx
        self.directory = directory
        self.after_ack = after_ack
        self.recorder = recorder
        self._help = blocks.help_reply()
        self._late: set[asyncio.Future[None]] = set()

    async def __call__(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """Bolt listener, on the event loop: parse, answer help and usage errors, else record and ack empty."""
        text = str(body.get("text") or "")
        try:
            refuse_nul(text, "command")
            command = parse_oncall(text)
        except FirebellError as exc:
            await _ack(ack, error_reply(exc.message))
            return
        except Exception:
            log.exception("/oncall %r failed", text[:40])
            await _ack(ack, error_reply(_INTERNAL))
            return
        if isinstance(command, OncallHelp):
            await _ack(ack, self._help)
            return
        user, channel = body.get("user_id"), body.get("channel_id")
        if not user or not channel:
            await _ack(ack, error_reply("Slack sent this command without a user or channel; nothing was done."))
            return
        payload = {
            "text": text,
            "user_id": str(user),
            "channel_id": str(channel),
            "response_url": body.get("response_url"),
        }
        request = inbox.Request(key=request_key(body), kind=KIND, lane=f"oncall:{user}"[:80], payload=payload)
        recording = asyncio.ensure_future(self.recorder.record(request))
        try:
            await asyncio.wait_for(asyncio.shield(recording), RECORD_BUDGET)
        except TimeoutError:
            log.warning("acknowledged /oncall before its inbox record committed (the database is slow)")
            self._late.add(recording)
            recording.add_done_callback(self._late.discard)
        except Exception:
            await _ack(ack, error_reply(_NOT_RECORDED))
            return
        await ack()

    def carry_out(self, entry: inbox.Claimed) -> None:
        """Carry out a recorded command (on an inbox worker) and answer the person through the response_url."""
        payload = entry.payload
        try:
            command = parse_oncall(payload["text"])
            messages = self.run(command, user=payload["user_id"])
        except FirebellError as exc:
            messages = [error_reply(exc.message)]
        self.after_ack.run(_reply_all, payload.get("response_url"), messages, in_order_of=entry.lane)

    def give_up(self, entry: inbox.Claimed, error: str) -> None:
        """Tell the person their command could not be carried out."""
        log.error("/oncall %r was given up: %s", entry.payload.get("text", "")[:40], error)
        self.after_ack.run(
            _reply_all, entry.payload.get("response_url"), [error_reply(_INTERNAL)], in_order_of=entry.lane
        )

    def run(self, command: OncallCommand, *, user: str) -> list[Message]:  # noqa: PLR0911, PLR0912 (one case per subcommand)
        """Carry out a parsed command; the messages that answer it."""
        ctx, now = self.ctx, self.ctx.clock()
        match command:
            case OncallHelp():
                return [self._help]
            case Board():
                return blocks.board_reply(board(ctx, now))
            case Mine():
                return blocks.my_shifts_reply(
                    user, shifts_of(ctx, user, now, timedelta(days=MY_DAYS)), now=now, days=MY_DAYS
                )
            case ShowSchedule(schedule=name):
                return self._schedule(name)
            case AddOverride():
                self._people([command.user_id])
                zone = self._zone(command.schedule)
                window = parse_window(command.start, command.end, zone, now=now)
                made = add_override(ctx, command.schedule, command.user_id, window.start, window.end, by=user)
                return [blocks.override_added_reply(made)]
            case Cover():
                return [self._cover(command, user=user)]
            case ListOverrides(schedule=name):
                return blocks.overrides_reply(name, list_overrides(ctx, name))
            case RemoveOverride(schedule=name, override_id=override_id):
                return [blocks.override_removed_reply(remove_override(ctx, name, override_id, by=user))]
            case AddTemporary():
                self._people(command.user_ids)
                zone = self._zone(command.schedule)
                window = parse_window(command.start, command.end, zone, now=now)
                every = parse_length(command.every, what="turn length") if command.every else None
                temporary = add_temporary(
                    ctx, command.schedule, window.start, window.end, command.user_ids, by=user, every=every
                )
                return [blocks.temporary_added_reply(temporary)]
            case ListTemporaries(schedule=name):
                return blocks.temporaries_reply(name, list_temporaries(ctx, name))
            case RemoveTemporary(schedule=name, temporary_id=temporary_id):
                return [blocks.temporary_removed_reply(remove_temporary(ctx, name, temporary_id, by=user))]
            case ShowMaintenance(service=service):
                return blocks.maintenance_reply(service, list_maintenance(ctx, service), now=now)
            case StartMaintenance(service=service):
                window = parse_window(command.start, command.end, _UTC, now=now)
                opened = start_maintenance(ctx, service, window.start, window.end, by=user)
                return [blocks.maintenance_started_reply(opened, now=now)]
            case EndMaintenance(service=service):
                return [blocks.maintenance_ended_reply(service, end_maintenance(ctx, service, by=user), now=now)]
        raise UsageError("Unknown subcommand. Try `/oncall help`.")

    def _people(self, users: Sequence[str]) -> None:
        """Only people can be on call: not Firebell itself."""
        if self.directory.cached_bot_user_id in users:
            raise UsageError("Firebell cannot be on call; pick a person.")

    def _zone(self, schedule: str) -> ZoneInfo:
        return ZoneInfo(schedule_config(self.ctx, schedule).time_zone)

    def _schedule(self, name: str) -> list[Message]:
        config = schedule_config(self.ctx, name)
        now = self.ctx.clock()
        end = now + timedelta(days=SCHEDULE_DAYS)
        shifts = shifts_between(self.ctx, name, now, end)
        makers = {r.id: r.created_by for r in active_overrides(self.ctx, name, now, end)}
        temporary_makers = {t.id: t.created_by for t in active_temporaries(self.ctx, name, now, end)}
        return blocks.schedule_reply(
            name,
            config.time_zone,
            shifts,
            override_makers=makers,
            temporary_makers=temporary_makers,
            days=SCHEDULE_DAYS,
        )

    def _cover(self, command: Cover, *, user: str) -> Message:
        """The caller on call from now: for the length given, else until the current shift ends."""
        zone = self._zone(command.schedule)
        now = self.ctx.clock().replace(microsecond=0)
        current = on_call(self.ctx, command.schedule, now)
        if command.length is not None:
            end = now + parse_length(command.length)
        elif user in current.users:
            until = "" if current.until is None else f" until {show(current.until, zone)}"
            raise UsageError(
                f"You are already on call for {command.schedule}{until}. To stay on longer, say how long: "
                f"`/oncall cover {command.schedule} for 4h`."
            )
        elif current.until is None or current.until - now > MAX_LENGTH:
            raise UsageError(
                f"The current shift of {command.schedule} does not end within 100 days: say how long, "
                f"e.g. `/oncall cover {command.schedule} for 4h`."
            )
        else:
            end = current.until
        view = add_override(self.ctx, command.schedule, user, now, end, by=user)
        return blocks.override_added_reply(view)


async def _ack(ack: AsyncAck, message: Message) -> None:
    await ack(text=message.text, blocks=message.blocks, response_type="ephemeral")


def _reply_all(response_url: str | None, messages: list[Message]) -> None:
    """Each message through the response_url, in order (a response_url takes five)."""
    for message in messages[: blocks.RESPONSE_URL_USES]:
        if not reply(response_url, message):
            return
