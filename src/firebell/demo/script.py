"""`firebell demo`: a scripted SEV1 from declaration to postmortem, against the Slack emulator.

Each step does what a person would do in Slack (a slash command, a button, a reaction) and then checks
the workspace shows what Slack would show; the first expectation that is not met stops the demo with a
message saying what was expected, and the exit code is 1.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar

from rich.text import Text

from firebell.emulator import Channel, Ephemeral, Message, SlackEmulator, View

from .compose import as_slack_sends
from .render import buttons, render_message, styled
from .stack import SEV1_UPDATE_SECONDS, Stack, running_stack
from .transcript import Transcript, make_console

T = TypeVar("T")

TITLE = "Checkout returning 5xx after deploy"
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
    def command(self, user: str, channel: str, text: str) -> str:
        """`user` types `/incident text` in `channel`; the text of Firebell's answer (what Slack shows the
        user: in the ack, or, for anything that touches the store, through the response_url after it)."""
        where = self.emu.channel(channel)
        self.narrate(f"{self.name(user)} types in #{where.name}: /incident {text}")
        result = self.stack.driver.slash_command(
            "/incident", as_slack_sends(self.emu, text), user=user, channel=channel
        )
        if not result.acked_in_time:
            raise StepFailed(f"/incident {text}: Firebell did not answer within Slack's 3 seconds")
        try:
            body = self.stack.driver.answer(result, timeout=10)
        except AssertionError as exc:
            raise StepFailed(f"/incident {text}: Firebell acknowledged but never answered") from exc
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


def declare(demo: Demo) -> None:
    ack = demo.command("alice", "general", f"declare sev1 {TITLE}")
    found = re.search(r"Declared \*INC-(\d+)\*", ack)
    if not found:
        raise StepFailed(f"expected the declare to be acknowledged with the incident number; Slack shows {ack!r}")
    demo.number = int(found.group(1))
    demo.ok(f"Alice sees: Declared {demo.inc} (SEV1)")
    prefix = f"{demo.stack.policy.channel_prefix}-{demo.number}-"

    def war_room() -> Channel | None:
        return next((c for c in demo.emu.channels.values() if c.name.startswith(prefix) and not c.is_archived), None)

    demo.room_id = demo.wait(f"a war room #{prefix}…", war_room).id
    demo.wait(
        "the kick-off message, pinned in the war room",
        lambda: next(
            (m for m in demo.emu.messages(demo.room_id) if m.pinned and "What happens next" in demo.shown(m)), None
        ),
    )
    demo.wait("the war room's topic: SEV1 | Investigating | IC: Alice", lambda: demo.topic("SEV1 | Investigating"))
    demo.wait(
        f"the announcement in #incidents, linking #{demo.room().name}",
        lambda: demo.bot_message("incidents", f"#{demo.room().name}"),
    )


def runbook(demo: Demo) -> None:
    kickoff = demo.wait(
        "the kick-off suggests the 5xx-after-deploy runbook",
        lambda: demo.bot_message(demo.room_id, "Elevated HTTP 5xx after a deploy"),
    )
    demo.pause(ACTION_PAUSE)
    demo.press("alice", kickoff, "Post: Elevated HTTP 5xx after a deploy")
    checklist = demo.wait(
        "the runbook posted as a checklist",
        lambda: demo.bot_message(demo.room_id, "RUNBOOK: ELEVATED HTTP 5XX AFTER A DEPLOY", after=kickoff.ts),
    )
    demo.pause(ACTION_PAUSE)
    demo.press("alice", checklist, "Done")
    demo.wait(
        "step 1 ticked off", lambda: "1/10 steps done" in demo.shown(demo.emu.message(demo.room_id, checklist.ts))
    )


def handover(demo: Demo) -> None:
    demo.command("alice", demo.room_id, "ic @bob")
    demo.wait(
        "the room is told Bob is now the Incident Commander",
        lambda: demo.bot_message(demo.room_id, "Command handed over: @Bob Okafor is now the Incident Commander"),
    )
    demo.wait("the topic names Bob as IC", lambda: "IC: <@" + demo.emu.user_id("bob") in demo.room().topic.value)


def pin(demo: Demo) -> None:
    text = "Error rate jumped from 0.1% to 12% at the minute checkout v2.14 rolled out"
    demo.narrate(f"Carol writes in #{demo.room().name}: {text}")
    message = demo.stack.driver.post_as_user("carol", demo.room_id, text)
    demo.pause(ACTION_PAUSE)
    demo.narrate("Bob reacts to Carol's message with :pushpin:")
    demo.stack.driver.react("bob", demo.room_id, message.ts, "pushpin")
    demo.wait(
        "Bob is told Carol's message is on the timeline",
        lambda: demo.ephemeral("bob", "Added @Carol Lindqvist's message to the timeline"),
    )


def status_update(demo: Demo) -> None:
    text = "Rolling back checkout v2.14 to v2.13; 5xx rate still 12%. Next update in 10 minutes."
    demo.command("bob", demo.room_id, f"update {text}")
    demo.wait("the update in the war room", lambda: demo.bot_message(demo.room_id, "Rolling back checkout v2.14"))
    demo.wait(
        "the update in the #incidents thread", lambda: demo.bot_message("incidents", "Rolling back checkout v2.14")
    )


def reminder(demo: Demo) -> None:
    demo.narrate(
        f"…and then nobody posts. The demo's SEV1 cadence is an update every {SEV1_UPDATE_SECONDS}s "
        "(15 minutes in the default policy)"
    )
    demo.wait(
        f"a reminder in the war room: a status update for {demo.inc} is due",
        lambda: demo.bot_message(demo.room_id, f"a status update for {demo.inc} is due"),
        timeout=SEV1_UPDATE_SECONDS + WAIT,
    )


def update_from_reminder(demo: Demo) -> None:
    due = demo.bot_message(demo.room_id, f"a status update for {demo.inc} is due")
    if due is None:
        raise StepFailed("expected the reminder to still be in the war room")
    demo.press("bob", due, "Post update")
    view = demo.wait(f"the 'Update {demo.inc}' form opens for Bob", lambda: demo.modal("bob", f"Update {demo.inc}"))
    text = "Rollback finished. 5xx rate down to 0.4% and falling; card payments still slow."
    demo.pause(ACTION_PAUSE)
    demo.narrate(f"Bob fills in Update: {text} and presses [Post update]")
    result = demo.stack.driver.submit_view("bob", view.id, {"text": text})
    if result.view_outcome != "closed":
        raise StepFailed(f"expected the form to close on submit; Slack shows {result.view_outcome} ({view.errors})")
    demo.wait("the update in the war room", lambda: demo.bot_message(demo.room_id, "Rollback finished."))


def severity(demo: Demo) -> None:
    demo.command("bob", demo.room_id, "sev 2")
    demo.wait(
        "the room is told: Severity lowered from SEV1 to SEV2",
        lambda: demo.bot_message(demo.room_id, "Severity lowered from SEV1 to SEV2"),
    )
    demo.wait("the topic says SEV2", lambda: demo.topic("SEV2 | Investigating"))
    demo.wait("the announcement says SEV2", lambda: demo.bot_message("incidents", f"{demo.inc} (SEV2) {TITLE}"))


def mitigate(demo: Demo) -> None:
    demo.command("bob", demo.room_id, "mitigate Rolled back to v2.13; 5xx rate back to its 0.1% baseline")
    demo.wait("the room is told the incident is mitigated", lambda: demo.bot_message(demo.room_id, "Mitigated:"))
    demo.wait("the topic says Mitigated", lambda: demo.topic("SEV2 | Mitigated"))


def action_item(demo: Demo) -> None:
    demo.command("bob", demo.room_id, "action Add a canary stage to checkout deploys @carol due in 7d")
    demo.wait("Bob sees the action item added, owned by Carol", lambda: demo.ephemeral("bob", "(@Carol Lindqvist, due"))


def resolve(demo: Demo) -> None:
    demo.command("bob", demo.room_id, "resolve Config fix shipped in v2.15; verified for 15 minutes")
    demo.wait("the room is told the incident is resolved", lambda: demo.bot_message(demo.room_id, "Resolved:"))
    demo.wait("the topic says Resolved", lambda: demo.topic("SEV2 | Resolved"))


def postmortem(demo: Demo) -> None:
    room = demo.room_id
    upload = demo.wait(
        "the postmortem draft uploaded to the war room",
        lambda: next((f for f in reversed(demo.emu.files) if room in f.channels and f.content), None),
    )
    demo.wait("its summary in the war room", lambda: demo.bot_message(room, f"{demo.inc} POSTMORTEM DRAFT"))
    demo.wait("a link to it in the #incidents thread", lambda: demo.bot_message("incidents", "postmortem"))
    markdown = (upload.content or b"").decode("utf-8")
    for section in ("## Key times", "## Timeline", "## Action items"):
        if section not in markdown:
            raise StepFailed(f"expected the postmortem draft to have a {section!r} section")
    demo.output.parent.mkdir(parents=True, exist_ok=True)
    demo.output.write_text(markdown, encoding="utf-8")
    demo.ok(f"the draft has Key times, Timeline and Action items; written to {demo.output}")


STEPS = (
    Step("Declare a SEV1: war room, kick-off and announcement", declare),
    Step("Runbook suggestion", runbook),
    Step("IC handover", handover),
    Step("A message pinned to the timeline", pin),
    Step("Status update", status_update),
    Step("Overdue-update reminder", reminder),
    Step("Update from the reminder's button", update_from_reminder),
    Step("Severity change", severity),
    Step("Mitigate", mitigate),
    Step("Action item", action_item),
    Step("Resolve", resolve),
    Step("Postmortem draft", postmortem),
)


def run_script(
    stack: Stack, transcript: Transcript, *, speed: float, output: Path, steps: tuple[Step, ...] | None = None
) -> bool:
    """Play every step (the SEV1 script, or `steps`); True when each showed what Slack would show and Slack
    saw no broken rule."""
    steps = STEPS if steps is None else steps
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


def run_demo(
    *, speed: float = 1.0, color: bool = True, output: Path, file: IO[str] | None = None, scenario: str = "incident"
) -> int:
    """`firebell demo`: start the emulator and Firebell, play the script (`scenario`: incident, the SEV1 one;
    alert, an alert-born incident), stop everything; the exit code."""
    console = make_console(color=color, file=file)
    what = "an Alertmanager alert declares an incident" if scenario == "alert" else "a scripted SEV1, start to finish"
    console.print(Text(f"Firebell demo: {what}, against the built-in Slack emulator.", style="bold"), soft_wrap=True)
    console.print(
        "No Slack workspace, no tokens, no network: the real service talks to the emulator on loopback.",
        soft_wrap=True,
    )
    try:
        if scenario == "alert":
            from .alert_scenario import run_alert_scenario

            return 0 if run_alert_scenario(console, color=color, speed=speed, output=output) else 1
        with running_stack() as stack:
            console.print(
                f"Firebell serves {stack.service.url}/slack/events; Slack's Web API is emulated at "
                f"{stack.slack.api_url}; database {stack.database_url}.",
                soft_wrap=True,
            )
            transcript = Transcript(stack.emu, console, color=color, max_lines=24)
            transcript.say(transcript.legend())
            ok = run_script(stack, transcript, speed=speed, output=output)
    except KeyboardInterrupt:
        console.print(Text("firebell demo: interrupted; everything it started is stopped.", style="yellow"))
        return 130
    except Exception as exc:  # a demo that cannot start says why, in one line, rather than a traceback
        console.print(Text(f"firebell demo: could not run: {type(exc).__name__}: {exc}", style="bold red"))
        return 1
    return 0 if ok else 1
