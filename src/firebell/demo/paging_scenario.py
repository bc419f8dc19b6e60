"""`firebell demo --scenario paging`: on-call paging, acknowledged and escalated, in Slack DMs.

Alice declares a SEV2 for checkout: Bob, on call for it, is DMed at once and acknowledges (he is invited to the
war room, and the room hears how long it took). Alice then pages payments by hand: Dave, on call, can't take it,
so the page passes to the next step at once and Erin acknowledges. `/oncall` shows who is on call; resolving ends
the pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console

from firebell.domain.policy import Policy
from firebell.emulator.models import Message

from .player import ACTION_PAUSE, Demo, Step, StepFailed, run_script
from .stack import demo_policy, demo_workspace, running_stack
from .transcript import Transcript


def paging_policy() -> Policy:
    """The demo's policy with two services, their schedules and escalation policies; SEV2 and above page."""
    people = demo_workspace()
    bob, carol, dave, erin = (people.user_id(n) for n in ("bob", "carol", "dave", "erin"))
    extra: dict[str, Any] = {
        "services": [
            {"name": "checkout", "description": "Payments and checkout API", "escalation_policy": "checkout"},
            {"name": "payments", "description": "Card payments", "escalation_policy": "payments"},
        ],
        "schedules": [
            {"name": "checkout-primary", "layers": [{"members": [bob]}]},
            {"name": "payments-primary", "layers": [{"members": [dave]}]},
            {"name": "payments-secondary", "layers": [{"members": [erin]}]},
        ],
        "escalation_policies": [
            {
                "name": "checkout",
                "steps": [
                    {"notify": ["schedule:checkout-primary"], "escalate_after": "5m"},
                    {"notify": [f"user:{carol}"], "escalate_after": "5m"},
                ],
            },
            {
                "name": "payments",
                "steps": [
                    {"notify": ["schedule:payments-primary"], "escalate_after": "5m"},
                    {"notify": ["schedule:payments-secondary"], "escalate_after": "5m"},
                ],
                "repeat": 1,
            },
        ],
        "paging": {"page_on_declare": "SEV2"},
    }
    return demo_policy(extra=extra)


def _page_dm(demo: Demo, user: str) -> Message | None:
    return next((m for m in reversed(demo.emu.dms(user)) if "You are paged for" in demo.shown(m)), None)


def _acknowledged_by(demo: Demo, user: str) -> Message | None:
    mention = f"<@{demo.emu.user_id(user)}> acknowledged"
    return next((m for m in demo.emu.messages(demo.room_id) if mention in (m.text or "")), None)


def declare_pages(demo: Demo) -> None:
    demo.command("alice", "general", "declare sev2 Checkout returns 502s --service checkout")
    room = demo.wait(
        "the war room",
        lambda: next((c for c in demo.emu.channels.values() if c.name.startswith("inc-")), None),
    )
    demo.room_id, demo.number = room.id, int(room.name.split("-")[1])
    demo.wait("Bob, on call for checkout, gets a DM at once: Acknowledge / I can't", lambda: _page_dm(demo, "bob"))
    demo.wait("the war room says who was paged", lambda: demo.bot_message(demo.room_id, ":pager: Paged"))


def bob_acknowledges(demo: Demo) -> None:
    dm = _page_dm(demo, "bob")
    if dm is None:
        raise StepFailed("expected Bob's page DM")
    demo.pause(ACTION_PAUSE)
    demo.press("bob", dm, "Acknowledge")
    demo.wait(
        "the war room hears Bob acknowledged, and how long it took",
        lambda: demo.bot_message(demo.room_id, "acknowledged ("),
    )
    demo.wait("Bob is invited to the war room", lambda: demo.emu.user_id("bob") in demo.room().members)


def page_payments(demo: Demo) -> None:
    demo.command("alice", demo.room_id, "page payments Card declines are up too")
    demo.wait("Dave, on call for payments, gets a DM", lambda: _page_dm(demo, "dave"))


def dave_cant(demo: Demo) -> None:
    dm = _page_dm(demo, "dave")
    if dm is None:
        raise StepFailed("expected Dave's page DM")
    demo.pause(ACTION_PAUSE)
    demo.press("dave", dm, "I can't")
    demo.wait("the page escalates at once: Erin, the next step, gets a DM", lambda: _page_dm(demo, "erin"))
    erin = _page_dm(demo, "erin")
    assert erin is not None
    demo.pause(ACTION_PAUSE)
    demo.press("erin", erin, "Acknowledge")
    demo.wait(
        "the war room hears Erin acknowledged",
        lambda: _acknowledged_by(demo, "erin"),
    )


def oncall_board(demo: Demo) -> None:
    demo.command("alice", "general", "", slash="/oncall")
    demo.wait(
        "/oncall lists every schedule: who is on call now, until when, and who is next",
        lambda: demo.ephemeral("alice", "payments-secondary") or None,
    )


def resolve(demo: Demo) -> None:
    demo.command("alice", demo.room_id, "resolve Rolled back the release")
    demo.wait("the room is told the incident is resolved", lambda: demo.bot_message(demo.room_id, "Resolved"))


PAGING_STEPS = (
    Step("A SEV2 for checkout pages its on-call at once", declare_pages),
    Step("Bob acknowledges from his DM", bob_acknowledges),
    Step("Alice pages payments by hand", page_payments),
    Step("Dave can't: the page escalates to Erin, who acknowledges", dave_cant),
    Step("Who is on call: /oncall", oncall_board),
    Step("Resolving ends the pages", resolve),
)


def run_paging_scenario(console: Console, *, color: bool, speed: float, output: Path) -> bool:
    """Start the emulator and Firebell with on-call schedules, play PAGING_STEPS, stop everything."""
    with running_stack(policy=paging_policy()) as stack:
        console.print(
            f"Firebell serves {stack.service.url}/slack/events; database {stack.database_url}.", soft_wrap=True
        )
        transcript = Transcript(stack.emu, console, color=color, max_lines=24)
        transcript.say(transcript.legend())
        return run_script(stack, transcript, speed=speed, output=output, steps=PAGING_STEPS)
