"""`firebell demo`: a scripted SEV1 from declaration to postmortem, against the Slack emulator.

Each step does what a person would do in Slack (a slash command, a button, a reaction) and then checks
the workspace shows what Slack would show; the first expectation that is not met stops the demo with a
message saying what was expected, and the exit code is 1.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, TypeVar

from rich.text import Text

from firebell.emulator import Channel

from .player import ACTION_PAUSE, WAIT, Demo, Step, StepFailed, run_script
from .stack import SEV1_UPDATE_SECONDS, running_stack
from .transcript import Transcript, make_console

T = TypeVar("T")

TITLE = "Checkout returning 5xx after deploy"


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


PUBLIC_TITLE = "Card payments failing for some customers"


def public_update(demo: Demo) -> None:
    kickoff = demo.bot_message(demo.room_id, "What happens next")
    if kickoff is None:
        raise StepFailed("expected the kick-off in the war room")
    demo.press("carol", kickoff, "Public update")
    view = demo.wait(
        f"the public update form opens for Carol (Public update {demo.inc})",
        lambda: demo.modal("carol", f"Public update {demo.inc}"),
    )
    demo.pause(ACTION_PAUSE)
    demo.narrate(f"Carol titles it “{PUBLIC_TITLE}”, marks Checkout a partial outage and presses [Submit draft]")
    values = {"title": PUBLIC_TITLE, "components": ["checkout"], "component_status.checkout": "partial_outage"}
    result = demo.stack.driver.submit_view("carol", view.id, values)
    if result.view_outcome != "closed":
        raise StepFailed(f"expected the form to close on submit; Slack shows {result.view_outcome} ({view.errors})")
    draft = demo.wait(
        "Carol's draft in the war room, awaiting the IC's approval",
        lambda: demo.bot_message(demo.room_id, "Public update drafted"),
    )
    demo.pause(ACTION_PAUSE)
    demo.press("bob", draft, "Approve & publish")
    demo.wait(
        "the draft now says Bob published it",
        lambda: "Public update published" in demo.shown(demo.emu.message(demo.room_id, draft.ts)),
    )
    demo.wait(
        "the war room is told, with the public incident page's link",
        lambda: demo.bot_message(demo.room_id, "Public update published by"),
    )
    demo.ok(f"customers read it on the status page: {demo.stack.status_url}")


def public_resolved(demo: Demo) -> None:
    prompt = demo.wait(
        "the war room is asked to tell customers it is over",
        lambda: demo.bot_message(demo.room_id, "Publish a resolved update"),
    )
    demo.press("bob", prompt, "Publish resolved update")
    view = demo.wait(
        "the public update form opens for Bob, set to Resolved",
        lambda: demo.modal("bob", f"Public update {demo.inc}"),
    )
    demo.pause(ACTION_PAUSE)
    demo.narrate("Bob keeps the prefilled text and presses [Publish now]")
    result = demo.stack.driver.submit_view("bob", view.id, {})
    if result.view_outcome != "closed":
        raise StepFailed(f"expected the form to close on submit; Slack shows {result.view_outcome} ({view.errors})")
    demo.wait(
        "the resolved update published, with the public link",
        lambda: demo.bot_message(demo.room_id, "have been resolved", after=prompt.ts),
    )
    demo.ok(f"the status page shows it resolved: {demo.stack.status_url}")


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
    Step("Public update, drafted and approved by the IC", public_update),
    Step("Overdue-update reminder", reminder),
    Step("Update from the reminder's button", update_from_reminder),
    Step("Severity change", severity),
    Step("Mitigate", mitigate),
    Step("Action item", action_item),
    Step("Resolve", resolve),
    Step("Resolved public update", public_resolved),
    Step("Postmortem draft", postmortem),
)


def run_demo(
    *, speed: float = 1.0, color: bool = True, output: Path, file: IO[str] | None = None, scenario: str = "incident"
) -> int:
    """`firebell demo`: start the emulator and Firebell, play the script (`scenario`: incident, the SEV1 one;
    alert, an alert-born incident), stop everything; the exit code."""
    console = make_console(color=color, file=file)
    what = {
        "alert": "an Alertmanager alert declares an incident",
        "paging": "on-call paging, acknowledged and escalated",
    }.get(scenario, "a scripted SEV1, start to finish")
    console.print(Text(f"Firebell demo: {what}, against the built-in Slack emulator.", style="bold"), soft_wrap=True)
    console.print(
        "No Slack workspace, no tokens, no network: the real service talks to the emulator on loopback.",
        soft_wrap=True,
    )
    try:
        if scenario == "alert":
            from .alert_scenario import run_alert_scenario

            return 0 if run_alert_scenario(console, color=color, speed=speed, output=output) else 1
        if scenario == "paging":
            from .paging_scenario import run_paging_scenario

            return 0 if run_paging_scenario(console, color=color, speed=speed, output=output) else 1
        with running_stack() as stack:
            console.print(
                f"Firebell serves {stack.service.url}/slack/events; Slack's Web API is emulated at "
                f"{stack.slack.api_url}; database {stack.database_url}.",
                soft_wrap=True,
            )
            console.print(f"Status page: {stack.status_url}", soft_wrap=True)
            transcript = Transcript(stack.emu, console, color=color, max_lines=24)
            transcript.say(transcript.legend())
            ok = run_script(stack, transcript, speed=speed, output=output, steps=STEPS)
    except KeyboardInterrupt:
        console.print(Text("firebell demo: interrupted; everything it started is stopped.", style="yellow"))
        return 130
    except Exception as exc:  # a demo that cannot start says why, in one line, rather than a traceback
        console.print(Text(f"firebell demo: could not run: {type(exc).__name__}: {exc}", style="bold red"))
        return 1
    return 0 if ok else 1
