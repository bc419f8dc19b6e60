"""What each channel would show, printed as it appears: new channels, messages, edits, pins, ephemerals.

`Transcript.flush()` compares the emulator's state with what it printed last and prints the difference,
in Slack's order (by message ts). The demo flushes after each step and while it waits; the playground
flushes from a background thread, so reminders fired by the scheduler show up on their own.
"""

from __future__ import annotations

import contextlib
import difflib
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from rich.console import Console
from rich.text import Text

from firebell.emulator import Channel, Ephemeral, Message, SlackEmulator

from .prompt import PromptLine
from .render import Names, block_lines, mrkdwn, render_message, styled

# Slack's own notices a person sees in the channel: who joined or left (an invitation shows as a join),
# topic and purpose changes, archiving.
SHOWN_SYSTEM = frozenset(
    {"channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_archive", "channel_unarchive"}
)


def make_console(*, color: bool, file: IO[str] | None = None) -> Console:
    """A console that prints styled text, or plain text with `color=False` (and whenever output is piped)."""
    if color:
        return Console(file=file, highlight=False, emoji=False, markup=False)
    return Console(file=file, no_color=True, color_system=None, highlight=False, emoji=False, markup=False)


@dataclass
class _Seen:
    lines: list[str]
    pinned: bool
    reactions: dict[str, int]


@dataclass
class _Entry:
    key: float
    order: int
    header: Text
    body: list[str] = field(default_factory=list)
    indent: str = "    "


def clock(ts: str | float) -> str:
    """A Slack ts as local wall-clock time (HH:MM:SS)."""
    return datetime.fromtimestamp(float(ts)).strftime("%H:%M:%S")  # local time, as the Slack client shows


class Transcript:
    """Prints what changed in the emulated workspace since the last flush."""

    def __init__(
        self, emu: SlackEmulator, console: Console, *, color: bool = True, max_lines: int | None = None
    ) -> None:
        self.emu = emu
        self.max_lines = max_lines
        self.console = console
        self.color = color and console.color_system is not None  # piped output stays plain
        self.names = Names(user=self._user_name, channel=self._channel_name)
        self.lock = threading.RLock()
        self._channels: set[str] = set()
        self._messages: dict[tuple[str, str], _Seen] = {}
        self._ephemerals: dict[int, int] = {}
        self._views: dict[str, tuple[int, bool, tuple[tuple[str, str], ...]]] = {}
        self.prompt_line: PromptLine | None = None  # the playground's line being typed, kept below prints

    # ------------------------------------------------------------ names
    def _user_name(self, user_id: str) -> str | None:
        user = self.emu.users.get(user_id)
        if user is None:
            return None
        return user.real_name or user.name

    def _channel_name(self, channel_id: str) -> str | None:
        channel = self.emu.channels.get(channel_id)
        if channel is None:
            return None
        if channel.is_im and channel.im_user:
            return f"DM with {self._user_name(channel.im_user) or channel.im_user}"
        return channel.name

    def where(self, channel: Channel) -> str:
        """How a conversation is named in the transcript."""
        if channel.is_im:
            return f"DM Firebell↔{self._user_name(channel.im_user or '') or channel.im_user}"
        return f"#{channel.name}"

    def author(self, message: Message) -> str:
        """Who posted a message, as the Slack client names them."""
        if message.bot_id or (message.user == self.emu.bot_user_id):
            return "Firebell (app)"
        return self._user_name(message.user or "") or (message.user or "someone")

    # ------------------------------------------------------------ output
    def legend(self) -> str:
        """How the transcript shows a mention that notifies someone, as against text that reads like one."""
        if self.color:
            return "A highlighted @name notifies that person (or channel); a plain @name is only text."
        return "‹@name› notifies that person (or channel), as Slack highlights it; a plain @name is only text."

    def say(self, text: str, style: str = "") -> None:
        """Print a line of narration."""
        with self.lock:
            self.console.print(Text(text, style=style), soft_wrap=True)

    def _print_entry(self, entry: _Entry) -> None:
        self.console.print(entry.header, soft_wrap=True)
        body = entry.body
        if self.max_lines is not None and len(body) > self.max_lines:
            hidden = len(body) - self.max_lines + 1
            body = [*body[: self.max_lines - 1], f"… {hidden} more lines (Slack folds them under “Show more”)"]
        for line in body:
            shown = Text(entry.indent) + (styled(line) if self.color else Text(line))
            self.console.print(shown, soft_wrap=True)

    def _header(self, when: str | float, where: str, who: str, note: str = "", *, bot: bool = False) -> Text:
        header = Text()
        header.append(clock(when), style="dim")
        header.append("  ")
        header.append(where, style="bold cyan")
        header.append("  ")
        header.append(who, style="bold magenta" if bot else "bold")
        if note:
            header.append(f"  {note}", style="yellow")
        return header

    # ------------------------------------------------------------ diffing
    def flush(self) -> int:
        """Print everything new since the last flush; how many entries were printed."""
        with self.lock, self.emu.lock:
            entries = [
                *self._channel_entries(),
                *self._message_entries(),
                *self._ephemeral_entries(),
                *self._view_entries(),
            ]
            entries.sort(key=lambda e: (e.key, e.order))
            if entries:
                with self.prompt_line.set_aside() if self.prompt_line else contextlib.nullcontext():
                    for entry in entries:
                        self._print_entry(entry)
            return len(entries)

    def _channel_entries(self) -> list[_Entry]:
        entries = []
        for channel in list(self.emu.channels.values()):
            if channel.id in self._channels:
                continue
            self._channels.add(channel.id)
            if channel.is_im:
                continue  # a DM shows up with its first message
            # Who is in it shows as joins, one per member, as Slack shows them in the channel.
            header = self._header(channel.created, f"#{channel.name}", "channel created", bot=True)
            entries.append(_Entry(float(channel.created), 0, header))
        return entries

    def _message_entries(self) -> list[_Entry]:
        entries = []
        for channel in list(self.emu.channels.values()):
            for message in list(channel.messages.values()):
                if message.is_system and message.subtype not in SHOWN_SYSTEM:
                    continue
                entry = self._message_entry(channel, message)
                if entry is not None:
                    entries.append(entry)
        return entries

    def _message_entry(self, channel: Channel, message: Message) -> _Entry | None:
        key = (channel.id, message.ts)
        lines = self._lines(message)
        reactions = {name: len(users) for name, users in message.reactions.items()}
        seen = self._messages.get(key)
        self._messages[key] = _Seen(lines, message.pinned, reactions)
        bot = message.user == self.emu.bot_user_id or message.bot_id is not None
        if seen is None:
            notes = []
            if message.is_reply:
                notes.append("in thread")
            if message.pinned:
                notes.append("pinned")
            note = f"({', '.join(notes)})" if notes else ""
            return _Entry(
                float(message.ts),
                1,
                self._header(message.ts, self.where(channel), self.author(message), note, bot=bot),
                lines,
            )
        changes: list[str] = []
        if lines != seen.lines:
            changes.extend(line for line in difflib.ndiff(seen.lines, lines) if line.startswith("+ "))
            changes = [line[2:] for line in changes] or ["(text changed)"]
        if message.pinned and not seen.pinned:
            changes.append(":pushpin: pinned to the channel")
        for name, count in reactions.items():
            if count > seen.reactions.get(name, 0):
                changes.append(f":{name}: reaction ({count})")
        if not changes:
            return None
        when = message.edited_ts or f"{time.time():.6f}"
        what = (
            f"edited its message from {clock(message.ts)}"
            if lines != seen.lines
            else f"message from {clock(message.ts)}"
        )
        return _Entry(
            float(when),
            2,
            self._header(when, self.where(channel), self.author(message), what, bot=bot),
            changes,
            "    ~ ",
        )

    def _lines(self, message: Message) -> list[str]:
        if message.subtype in SHOWN_SYSTEM:  # Slack's notices notify no one
            return [f"({mrkdwn(message.text, self.names, pings=False)})"]
        lines = render_message(message.text, message.blocks, self.names)
        for file_id in message.files:
            upload = self.emu.uploads.get(file_id)
            if upload is not None:
                lines.append(f":paperclip: {upload.title or upload.name} ({upload.name}, {upload.size} bytes)")
        return lines

    def _ephemeral_entries(self) -> list[_Entry]:
        entries = []
        for ephemeral in [*self.emu.ephemerals, *self.emu.command_acks]:
            marker = id(ephemeral)
            version = ephemeral.replaced + (1000 if ephemeral.deleted else 0)
            if self._ephemerals.get(marker) == version:
                continue
            first = marker not in self._ephemerals
            self._ephemerals[marker] = version
            if ephemeral.deleted:
                continue
            entries.append(self._ephemeral_entry(ephemeral, first=first))
        return entries

    def _ephemeral_entry(self, ephemeral: Ephemeral, *, first: bool) -> _Entry:
        who = self._user_name(ephemeral.user) or ephemeral.user
        channel = self.emu.channels.get(ephemeral.channel)
        where = self.where(channel) if channel else ephemeral.channel
        note = f"(only visible to {who})" if first else f"(replaced; only visible to {who})"
        key = float(ephemeral.ts) if first else time.time()
        header = self._header(key, where, "Firebell (app)", note, bot=True)
        return _Entry(key, 1, header, render_message(ephemeral.text, ephemeral.blocks, self.names))

    def _view_entries(self) -> list[_Entry]:
        entries = []
        for view in self.emu.views.values():
            if view.type != "modal":
                continue
            version = (view.updates, view.closed, tuple(sorted(view.errors.items())))
            seen = self._views.get(view.id)
            self._views[view.id] = version
            if view.closed or seen == version:
                continue
            who = self._user_name(view.user) or view.user
            if seen is None or seen[0] != view.updates:
                title = str((view.view.get("title") or {}).get("text", ""))
                note = "opened for" if seen is None else "updated for"
                header = self._header(time.time(), "modal", f"{title!r} {note} {who}", bot=True)
                entries.append(_Entry(time.time(), 3, header, modal_lines(view.view, self.names)))
            if view.errors:
                header = self._header(time.time(), "modal", f"Slack shows errors to {who}", bot=True)
                lines = [f"⚠ {field}: {error}" for field, error in view.errors.items()]
                entries.append(_Entry(time.time(), 4, header, lines))
        return entries

    def prime(self) -> None:
        """Treat everything already in the workspace as printed."""
        with self.lock, self.emu.lock:
            self._channel_entries()
            self._message_entries()
            self._ephemeral_entries()
            self._view_entries()


def modal_lines(view: dict[str, Any], names: Names) -> list[str]:
    """A modal as lines: its blocks, its buttons, and the field names `:submit` takes."""
    lines = [line for block in view.get("blocks") or [] for line in block_lines(block, names)]
    close, submit = view.get("close"), view.get("submit")
    lines.append(" ".join(f"[{b['text']}]" for b in (close, submit) if isinstance(b, dict)))
    fields = [
        f"{block.get('block_id')}{'' if block.get('optional') else '*'}"
        for block in view.get("blocks") or []
        if block.get("type") == "input"
    ]
    if fields:
        lines.append(f"fields: {', '.join(fields)} (* required)")
    return lines
