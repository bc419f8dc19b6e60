"""Steps a person takes with public updates, as the tests drive them through the emulator."""

import json
from typing import Any

from firebell.emulator.models import Message, View
from tests.harness import Firebell


def declare(
    firebell: Firebell, *, user: str = "alice", text: str = "declare sev1 Checkout DB failover --service checkout"
) -> str:
    firebell.driver.slash_command("/incident", text, user=user, channel="general")
    return firebell.war_room(1).id


def open_form(firebell: Firebell, user: str, room: str) -> View:
    """`/incident statuspage` in the war room: the form it opens for `user`."""
    before = set(firebell.emu.views)
    firebell.driver.slash_command("/incident", "statuspage", user=user, channel=room)
    view: View = firebell.wait_for(
        lambda: next((v for k, v in firebell.emu.views.items() if k not in before), None), what="the public form"
    )
    return view


def block(view: View, block_id: str) -> dict[str, Any]:
    return next(b for b in view.view["blocks"] if b.get("block_id") == block_id)


def shown(message: Message) -> str:
    return json.dumps(message.blocks)


def drafts(firebell: Firebell, room: str) -> list[Message]:
    """The war room's public update messages (drafts and what became of them), oldest first."""
    return [m for m in firebell.bot_messages(room) if "Public update" in shown(m) and "Public title" in shown(m)]


def buttons(message: Message) -> list[str]:
    return [e["text"]["text"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


def press(firebell: Firebell, user: str, room: str, message: Message, label: str) -> None:
    element = next(
        e for b in message.blocks if b["type"] == "actions" for e in b["elements"] if e["text"]["text"] == label
    )
    firebell.driver.click(user, room, message.ts, element["action_id"], element.get("value"))


def told(firebell: Firebell, user: str, needle: str) -> bool:
    """Whether `user` was shown an ephemeral containing `needle`."""
    user_id = firebell.emu.user_id(user)
    return any(e.user == user_id and needle in (e.text + json.dumps(e.blocks)) for e in firebell.emu.ephemerals)
