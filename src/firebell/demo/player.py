"""Playing a demo script: the `Demo` a step acts through (commands, buttons, waiting for what Slack would
show, narration) and `run_script`, which plays the steps in order and stops at the first that fails."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from firebell.emulator import Channel, Ephemeral, Message, SlackEmulator, View

from .compose import as_slack_sends
from .render import buttons, render_message, styled
from .stack import Stack
from .transcript import Transcript

T = TypeVar("T")

STEP_PAUSE = 1.5  # seconds between steps at --speed 1
ACTION_PAUSE = 0.8  # seconds between actions within a step
WAIT = 15.0  # how long Slack may take to show what a step caused


class StepFailed(Exception):
    """A step did not produce what Slack would show."""


@dataclass
class Step:
    """One scene of the demo."""

    title: str
    run: Callable[[Demo], None]


class Demo:
    """Plays the script against a running stack, narrating and printing the transcript as it goes."""

    def __init__(self, stack: Stack, transcript: Transcript, *, speed: float, output: Path) -> None:
        self.stack = stack
        self.emu: SlackEmulator = stack.emu
        self.transcript = transcript
        self.speed = max(speed, 0.0)
        self.output = output
        self.number = 0
        self.room_id = ""
        self.checked = 0

    # ------------------------------------------------------------ narration and time
    def narrate(self, text: str) -> None:
        """What the person does, as a line of the transcript."""
        self.transcript.flush()
        self.transcript.say(f"  › {text}", style="green")

    def ok(self, text: str) -> None:
        """An expectation that was met."""
        self.checked += 1
        self.transcript.flush()
        self.transcript.say(f"  ✔ {text}", style="green")

    def pause(self, seconds: float) -> None:
        """A pause for the reader, scaled by --speed; what arrives meanwhile is printed."""
        deadline = time.monotonic() + seconds * self.speed
        while True:
            self.transcript.flush()
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, 0.1))

    def wait(self, what: str, probe: Callable[[], T | None], timeout: float = WAIT) -> T:
        """Poll `probe` until it answers; StepFailed naming `what` if it does not within `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            with self.emu.lock:
                try:
                    value = probe()
                except (LookupError, ValueError):
                    value = None
            if value:
                self.ok(what)
                return value
            if time.monotonic() > deadline:
                raise StepFailed(f"expected {what} within {timeout:g}s; Slack does not show it")
            self.transcript.flush()
            time.sleep(0.05)

    # ------------------------------------------------------------ what people do
    def command(self, user: str, channel: str, text: str, *, slash: str = "/incident") -> str:
        """`user` types `/incident text` (or another `slash` command) in `channel`; the text of Firebell's answer
        (what Slack shows the user: in the ack, or, for anything that touches the store, through the response_url
        after it)."""
        where = self.emu.channel(channel)
        self.narrate(f"{self.name(user)} types in #{where.name}: {slash} {text}".rstrip())
        result = self.stack.driver.slash_command(slash, as_slack_sends(self.emu, text), user=user, channel=channel)
        if not result.acked_in_time:
            raise StepFailed(f"{slash} {text}: Firebell did not answer within Slack's 3 seconds")
        try:
            body = self.stack.driver.answer(result, timeout=10)
        except AssertionError as exc:
            raise StepFailed(f"{slash} {text}: Firebell acknowledged but never answered") from exc
        return str(body.get("text", ""))

    def press(self, user: str, message: Message, label: str) -> None:
        """`user` presses the button labelled `label` (or starting with it) on `message`."""
        found = [(b, e) for text, b, e in buttons(message.blocks) if text == label or text.startswith(label)]
        if not found:
            shown = [text for text, _, _ in buttons(message.blocks)]
            raise StepFailed(f"expected a [{label}] button on the message; it shows {shown}")
        block, element = found[0]
        self.narrate(f"{self.name(user)} presses [{label}]")
        result = self.stack.driver.click(
            user,
            message.channel,
            message.ts,
            str(element.get("action_id")),
            value=element.get("value"),
            block_id=block.get("block_id"),
        )
        if not result.acked_in_time:
            raise StepFailed(f"[{label}]: Firebell did not acknowledge the click within Slack's 3 seconds")

    def name(self, user: str) -> str:
        """A person's full name."""
        return self.emu.user(user).real_name

    # ------------------------------------------------------------ what Slack shows
    def room(self) -> Channel:
        """The war room."""
        return self.emu.channel(self.room_id)

    def shown(self, message: Message | Ephemeral) -> str:
        """A message as the reader sees it, emphasis applied (one string)."""
        lines = render_message(message.text, message.blocks, self.transcript.names)
        return "\n".join(styled(line, emoji=False).plain for line in lines)

    def bot_message(self, channel: str, needle: str, after: str = "0") -> Message | None:
        """The newest bot message in `channel` after ts `after` that shows `needle`."""
        for message in reversed(self.emu.messages(channel)):
            if float(message.ts) <= float(after):
                break
            if message.user == self.emu.bot_user_id and needle in self.shown(message):
                return message
        return None

    def ephemeral(self, user: str, needle: str) -> bool:
        """Whether `user` was shown an ephemeral message containing `needle`."""
        user_id = self.emu.user_id(user)
        shown = [*self.emu.ephemerals, *self.emu.command_acks]
        return any(e.user == user_id and needle in self.shown(e) for e in shown)

    def topic(self, prefix: str) -> bool:
        """Whether the war room's topic starts with `prefix`."""
        return self.room().topic.value.startswith(prefix)

    def modal(self, user: str, title: str) -> View | None:
        """The open modal titled `title` shown to `user`."""
        user_id = self.emu.user_id(user)
        return next(
            (
                v
                for v in self.emu.views.values()
                if v.user == user_id and not v.closed and (v.view.get("title") or {}).get("text") == title
            ),
            None,
        )

    @property
    def inc(self) -> str:
        """INC-<number>."""
        return f"INC-{self.number}"


# ---------------------------------------------------------------- the script


def run_script(stack: Stack, transcript: Transcript, *, speed: float, output: Path, steps: tuple[Step, ...]) -> bool:
    """Play every step; True when each showed what Slack would show and Slack saw no broken rule."""
    demo = Demo(stack, transcript, speed=speed, output=output)
    transcript.prime()
    started = time.monotonic()
    for number, step in enumerate(steps, start=1):
        transcript.say("")
        transcript.say(f"── {number}/{len(steps)} {step.title} ", style="bold")
        try:
            step.run(demo)
        except Exception as failed:  # a step that broke is reported like one that saw the wrong thing
            transcript.flush()
            problem = str(failed) if isinstance(failed, StepFailed) else f"{type(failed).__name__}: {failed}"
            transcript.say(f"  ✘ {problem}", style="bold red")
            transcript.say(f"firebell demo: step {number} ({step.title}) failed.", style="bold red")
            return False
        demo.pause(STEP_PAUSE)
    transcript.flush()
    violations = stack.emu.violations
    if violations:
        transcript.say("  ✘ Firebell made calls Slack would refuse:", style="bold red")
        for violation in violations:
            transcript.say(f"    {violation}", style="red")
        return False
    transcript.say("")
    transcript.say(
        f"All {len(steps)} steps showed what Slack would show ({demo.checked} checks, "
        f"{time.monotonic() - started:.0f}s).",
        style="bold green",
    )
    if output.exists():
        transcript.say(f"Postmortem draft: {output}", style="bold")
    return True
