"""`firebell playground`: type `/incident …` or `/oncall …` as someone in the emulated workspace and watch Firebell answer.

Lines starting with `/` are slash commands, lines starting with `:` are playground commands, anything
else is a message posted in the current channel. A background thread prints what appears in the
workspace (posts, edits, ephemerals, modals), so reminders fired by the scheduler show up on their own.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import IO, Any

from rich.text import Text

from firebell.emulator import Channel, Ephemeral, Message, SlackEmulator
from firebell.emulator.modals import clear_stack

from .compose import as_slack_sends
from .prompt import PromptLine
from .render import buttons, mrkdwn, render_message
from .stack import PLAYGROUND_INTERVALS, PLAYGROUND_ONCALL, Stack, demo_policy, running_stack
from .transcript import Transcript, clock, make_console

HELP = """\
/incident <subcommand> …   run Firebell's slash command here, as the current user (try /incident help)
/oncall [<subcommand>] …   who is on call, overrides, maintenance (try /oncall help)
<any other text>            post it as a message in the current channel
:as <user>                  act as someone else (:as alone lists the people)
:channels                   the channels you can see
:open <channel>             go to a channel (#name, a unique prefix such as inc-1, or dm) and list its messages
:messages                   list the current channel's messages again, numbered
:click <button>             press a button (label, or its number) in the newest message here that has buttons
:click <n> <button>         press a button in message n (see :messages), e.g. :click 3 "Edit summary"
:pin <n>                    react with :pushpin: to message n of the current channel (see :messages)
:submit <field>=<value> | …  submit your open form, e.g. :submit text=Rolled back | status=mitigated
                            dates as YYYY-MM-DD (due=2026-12-24), times as HH:MM (24-hour), a date and
                            time as YYYY-MM-DD HH:MM in UTC (impact_started_at=2026-12-07 13:40)
:cancel                     close your open form
:wait [seconds]             wait and watch (default 5), e.g. for a reminder
:help                       this list
:quit                       stop (Ctrl-D works too)"""


# The slash commands Firebell's app manifest declares.
SLASH_COMMANDS = ("/incident", "/oncall")


class PlaygroundError(Exception):
    """Something the playground cannot do, said plainly."""


class Playground:
    """The interactive session: who you are, where you are, and what your lines do."""

    def __init__(self, stack: Stack, transcript: Transcript, *, user: str) -> None:
        self.stack = stack
        self.emu: SlackEmulator = stack.emu
        self.transcript = transcript
        self.user = self.emu.user(user).name
        self.channel_id = self.emu.channel("general").id
        self.running = True
        self._commands: dict[str, Callable[[str], None]] = {
            "as": self.switch_user,
            "channels": self.list_channels,
            "open": self.open_channel,
            "messages": lambda _: self.list_messages(),
            "click": self.click,
            "pin": self.pin,
            "submit": self.submit,
            "cancel": lambda _: self.cancel(),
            "wait": self.wait,
            "help": lambda _: self.say(HELP),
            "quit": lambda _: self.stop(),
            "q": lambda _: self.stop(),
            "exit": lambda _: self.stop(),
        }

    # ------------------------------------------------------------ output
    def say(self, text: str, style: str = "") -> None:
        """Print playground output (not Slack's)."""
        for line in text.splitlines() or [""]:
            self.transcript.say(line, style=style)

    @property
    def prompt(self) -> str:
        """`alice in #general> `."""
        return f"{self.user} in {self.transcript.where(self.channel)}> "

    @property
    def channel(self) -> Channel:
        """The channel you are in."""
        return self.emu.channel(self.channel_id)

    # ------------------------------------------------------------ dispatch
    def handle(self, line: str) -> None:
        """Do what one input line says."""
        line = line.strip()
        if not line:
            return
        try:
            if line.startswith(":"):
                name, _, rest = line[1:].partition(" ")
                command = self._commands.get(name.lower())
                if command is None:
                    raise PlaygroundError(f"Unknown playground command :{name}. Type :help for the list.")
                command(rest.strip())
            elif line.startswith("/"):
                self.slash(line)
            else:
                self.post(line)
        except PlaygroundError as problem:
            self.say(str(problem), style="yellow")
        except (KeyError, ValueError) as problem:  # the emulator refusing what Slack's UI would not allow
            self.say(f"Slack would not let you: {problem}", style="yellow")
        self.settle()

    def settle(self, quiet: float = 0.3, limit: float = 5.0) -> None:
        """Print what the last action caused: wait until Firebell has carried out what it was handed and has
        nothing left to send to Slack, and the workspace has been quiet for `quiet` seconds (at most `limit`
        seconds)."""
        deadline = time.monotonic() + limit
        last_change = time.monotonic()
        while time.monotonic() < deadline:
            if self.transcript.flush():
                last_change = time.monotonic()
            elif (
                time.monotonic() - last_change >= quiet
                and not self.stack.busy()
                and self.stack.runtime.gateway.wait_idle(0.05)
            ):
                self.transcript.flush()
                return
            time.sleep(0.05)

    def stop(self) -> None:
        """End the session."""
        self.running = False

    # ------------------------------------------------------------ Slack actions
    def slash(self, line: str) -> None:
        """Run a slash command in the current channel."""
        command, _, text = line.partition(" ")
        if command not in SLASH_COMMANDS:
            installed = " and ".join(SLASH_COMMANDS)
            raise PlaygroundError(f"{command} is not a command in this workspace; Firebell installs {installed}.")
        result = self.stack.driver.slash_command(
            command, as_slack_sends(self.emu, text.strip(), typed=True), user=self.user, channel=self.channel_id
        )
        if result.status_code != 200:
            self.say(f"Slack shows: {command} failed with the error “dispatch_failed” ({result.status_code})", "red")

    def post(self, text: str) -> None:
        """Post a message as the current user."""
        self.stack.driver.post_as_user(self.user, self.channel_id, as_slack_sends(self.emu, text, typed=True))

    def click(self, spec: str) -> None:
        """Press a button: in the newest message here that has buttons, or in message n of :messages
        (`:click 3 "Edit summary"`)."""
        number, _, rest = spec.partition(" ")
        if number.isdigit() and rest.strip():
            source: Message | Ephemeral = self._numbered(number, ":click <n> <button>")
            label, shown_as = rest, f"Message {number}"
            if not buttons(source.blocks):
                with_buttons = [str(n) for n, m in enumerate(self._messages(), start=1) if buttons(m.blocks)]
                listed = ", ".join(with_buttons) or "none"
                raise PlaygroundError(f"Message {number} has no buttons; messages here with buttons: {listed}.")
        else:
            newest = self._newest_with_buttons()
            if newest is None:
                raise PlaygroundError(f"No message in {self.transcript.where(self.channel)} has buttons you can press.")
            source, label, shown_as = newest, spec, "The newest message with buttons here"
        wanted = label.strip().strip("\"“”'[]").lower()
        if not wanted:
            raise PlaygroundError(
                "Say which button: :click <label>, e.g. :click Resolve, or :click <n> <label> for message n."
            )
        choices = buttons(source.blocks)
        match = None
        if wanted.isdigit() and 1 <= int(wanted) <= len(choices):
            match = choices[int(wanted) - 1]
        for test in (str.__eq__, str.startswith, str.__contains__):
            match = match or next((c for c in choices if test(c[0].lower(), wanted)), None)
        if match is None:
            shown = " ".join(f"[{text}]" for text, _, _ in choices)
            raise PlaygroundError(f"{shown_as} shows {shown}; none is “{label.strip()}”.")
        text, block, element = match
        self.say(f"(pressing [{text}] on the message from {clock(source.ts)})", style="dim")
        self.stack.driver.click(
            self.user,
            self.channel_id,
            source.ts,
            str(element.get("action_id")),
            value=element.get("value"),
            block_id=block.get("block_id"),
        )

    def _numbered(self, number: str, usage: str) -> Message:
        """Message `number` of the current channel, as :messages numbers them (`usage` says how to ask)."""
        messages = self._messages()
        if not number.isdigit() or not 1 <= int(number) <= len(messages):
            raise PlaygroundError(
                f"Say which message: {usage}, n from 1 to {len(messages)} (:messages lists them)."
                if messages
                else f"There are no messages in {self.transcript.where(self.channel)} yet."
            )
        return messages[int(number) - 1]

    def _newest_with_buttons(self) -> Message | Ephemeral | None:
        user_id = self.emu.user_id(self.user)
        with self.emu.lock:
            candidates: list[Message | Ephemeral] = [m for m in self.channel.messages.values() if buttons(m.blocks)]
            candidates += [
                e
                for e in [*self.emu.ephemerals, *self.emu.command_acks]
                if e.user == user_id and e.channel == self.channel_id and not e.deleted and buttons(e.blocks)
            ]
        return max(candidates, key=lambda m: float(m.ts), default=None)

    def pin(self, number: str) -> None:
        """React with :pushpin: to message `number` of the current channel."""
        message = self._numbered(number, ":pin <n>")
        self.stack.driver.react(self.user, self.channel_id, message.ts, "pushpin")

    def submit(self, spec: str) -> None:
        """Submit the current user's open form with `field=value | field=value`."""
        view = self._open_form()
        values: dict[str, Any] = {}
        for part in filter(None, (p.strip() for p in spec.split("|"))):
            field, sep, value = part.partition("=")
            if not sep:
                raise PlaygroundError(f"“{part}” is not field=value; e.g. :submit text=Rolled back")
            values[field.strip()] = as_slack_sends(self.emu, value.strip())
        result = self.stack.driver.submit_view(self.user, view.id, values)
        if result.view_outcome == "closed":
            self.say("(form submitted and closed)", style="dim")

    def cancel(self) -> None:
        """Close the current user's open form, as its Cancel button does."""
        view = self._open_form()
        with self.emu.lock:
            clear_stack(self.emu, self.emu.user_id(self.user))
        self.say(f"(closed the form {view.view.get('title', {}).get('text', '')!r})", style="dim")

    def _open_form(self) -> Any:
        user_id = self.emu.user_id(self.user)
        stack = self.emu.modal_stacks.get(user_id) or []
        if not stack:
            raise PlaygroundError(f"{self.user} has no open form. Buttons such as [Post update] open one.")
        return self.emu.views[stack[-1]]

    # ------------------------------------------------------------ moving around
    def switch_user(self, name: str) -> None:
        """Act as someone else."""
        people = [u for u in self.emu.users.values() if not u.is_bot]
        if not name:
            self.say("People: " + ", ".join(f"{u.name} ({u.real_name})" for u in people))
            return
        found = self.emu.find_user(name.lower())
        if found is None or found.is_bot:
            raise PlaygroundError(f"No one called {name} here. People: {', '.join(u.name for u in people)}.")
        self.user = found.name
        self.say(f"You are now {found.real_name} (@{found.name}).", style="bold")

    def _visible(self) -> list[Channel]:
        user_id = self.emu.user_id(self.user)
        with self.emu.lock:
            return [
                c
                for c in self.emu.channels.values()
                if (c.is_public or c.has_member(user_id)) and not c.is_mpim and (not c.is_im or c.im_user == user_id)
            ]

    def list_channels(self, _: str = "") -> None:
        """The channels the current user can see."""
        for channel in self._visible():
            marker = "*" if channel.id == self.channel_id else " "
            count = len([m for m in channel.messages.values() if not m.is_system])
            topic = (
                f"  topic: {mrkdwn(channel.topic.value, self.transcript.names, pings=False)}"
                if channel.topic.value
                else ""
            )
            archived = " (archived)" if channel.is_archived else ""
            self.say(f"{marker} {self.transcript.where(channel)}{archived}  {count} messages{topic}")

    def open_channel(self, ref: str) -> None:
        """Go to a channel and list its messages."""
        if not ref:
            raise PlaygroundError("Say which channel: :open <channel> (see :channels).")
        wanted = ref.lower().lstrip("#")
        if wanted in ("dm", "firebell", "@firebell"):
            channel = self.emu.open_dm(self.user)
        else:
            visible = [c for c in self._visible() if not c.is_im]
            exact = [c for c in visible if c.name == wanted]
            matches = exact or [c for c in visible if c.name.startswith(wanted)]
            if len(matches) != 1:
                names = ", ".join(f"#{c.name}" for c in matches or visible)
                raise PlaygroundError(
                    f"“{ref}” matches {'several' if matches else 'no'} channels: {names}. Try :channels."
                )
            channel = matches[0]
        self.channel_id = channel.id
        self.say(f"You are in {self.transcript.where(channel)}.", style="bold")
        self.list_messages()

    def _messages(self) -> list[Message]:
        with self.emu.lock:
            return [m for m in self.channel.messages.values() if not m.is_system]

    def list_messages(self) -> None:
        """The current channel's messages, numbered (for :pin)."""
        messages = self._messages()
        if not messages:
            self.say("(no messages yet)", style="dim")
        for number, message in enumerate(messages, start=1):
            lines = render_message(message.text, message.blocks, self.transcript.names)
            thread = " ↳" if message.is_reply else ""
            first = next((line for line in lines if line.strip()), "")
            more = f"  (+{len(lines) - 1} lines)" if len(lines) > 1 else ""
            pinned = " 📌" if message.reactions.get("pushpin") else ""
            author = self.transcript.author(message)
            labels = "".join(f" [{text}]" for text, _, _ in buttons(message.blocks))
            self.say(f"{number:>3}.{thread} {clock(message.ts)} {author}: {first}{more}{pinned}{labels}")

    def wait(self, seconds: str) -> None:
        """Watch for a while."""
        try:
            duration = float(seconds) if seconds else 5.0
        except ValueError as exc:
            raise PlaygroundError(f"“{seconds}” is not a number of seconds.") from exc
        deadline = time.monotonic() + duration
        while time.monotonic() < deadline:
            self.transcript.flush()
            time.sleep(0.1)


def _watch(transcript: Transcript, stop: threading.Event) -> None:
    while not stop.wait(0.25):
        transcript.flush()


def _lines(stream: IO[str], playground: Playground, *, interactive: bool) -> Iterator[str]:
    if interactive:
        with contextlib.suppress(ImportError):  # not on every platform
            import readline  # noqa: F401 - line editing and history for input()
        transcript = playground.transcript
        transcript.prompt_line = PromptLine(transcript.console.file, lambda: playground.prompt)
        while True:
            try:
                with transcript.prompt_line.reading():
                    line = input(playground.prompt)
            except EOFError:
                return
            yield line
    else:
        for line in stream:
            playground.say(playground.prompt + line.rstrip("\n"), style="bold")
            yield line


def run_playground(
    *, user: str = "alice", color: bool = True, stdin: IO[str] | None = None, file: IO[str] | None = None
) -> int:
    """`firebell playground`: the session, reading lines from `stdin` until :quit or end of input."""
    stream = stdin or sys.stdin
    interactive = stdin is None and sys.stdin.isatty()
    console = make_console(color=color, file=file)
    policy = demo_policy(PLAYGROUND_INTERVALS, extra=PLAYGROUND_ONCALL)
    cadence = ", ".join(f"{name} every {every}" for name, every in PLAYGROUND_INTERVALS.items())
    with running_stack(policy=policy) as stack:
        transcript = Transcript(stack.emu, console, color=color, max_lines=40)
        transcript.prime()
        if stack.emu.find_user(user) is None:
            console.print(Text(f"firebell playground: no user {user!r}; try alice, bob or carol.", style="red"))
            return 2
        playground = Playground(stack, transcript, user=user)
        intro = (
            "Firebell playground: the real service against the built-in Slack emulator.\n"
            f"Status updates are due {cadence} here, so reminders come quickly.\n"
            "Type /incident help, /oncall help, or :help for the playground's own commands.\n" + transcript.legend()
        )
        playground.say(intro, style="bold")
        stop = threading.Event()
        watcher = threading.Thread(target=_watch, args=(transcript, stop), name="playground-watch", daemon=True)
        watcher.start()
        try:
            for line in _lines(stream, playground, interactive=interactive):
                playground.handle(line)
                if not playground.running:
                    break
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            watcher.join(2)
        playground.say("Bye.")
    return 0
