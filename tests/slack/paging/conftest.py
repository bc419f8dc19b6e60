"""A Firebell whose policy pages: checkout's escalation policy pages Bob (primary), then Carol (secondary)."""

import json
from typing import Any

import pytest
import yaml

from firebell.config import policy_from_mapping
from firebell.domain.policy import Policy
from firebell.emulator.models import Message
from tests.harness import Firebell

BOB, CAROL, DAVE = "U0BOB00000", "U0CAROL000", "U0DAVE0000"  # the emulator's users (ids are stable)
POLICY = f"""
services:
  - name: checkout
    description: Payments and checkout API
    escalation_policy: checkout
  - name: search
schedules:
  - name: primary
    layers:
      - members: [{BOB}]
  - name: secondary
    layers:
      - members: [{CAROL}]
escalation_policies:
  - name: checkout
    steps:
      - notify: [schedule:primary]
        escalate_after: 5m
      - notify: [schedule:secondary]
        escalate_after: 10m
paging:
  page_on_declare: SEV2
"""


def paging_policy() -> Policy:
    """The test policy (the default severities, an announcement channel) with services, schedules and paging."""
    return policy_from_mapping(yaml.safe_load(POLICY), source="test")


@pytest.fixture
def policy() -> Policy:
    return paging_policy()


def page_dms(firebell: Firebell, user: str) -> list[Message]:
    """The page DMs the bot sent `user` (other DMs left out)."""
    channel = firebell.emu.dm_channel(user)
    if channel is None:
        return []
    return [
        m
        for m in firebell.bot_messages(channel.id)
        if "page_ack" in json.dumps(m.blocks) or "page." in json.dumps(m.blocks)
    ]


def wait_for_dm(firebell: Firebell, user: str, count: int = 1) -> list[Message]:
    """Wait until `user` has `count` page DMs."""
    found: list[Message] = firebell.wait_for(
        lambda: (dms := page_dms(firebell, user)) and len(dms) >= count and dms, what=f"{count} page DM(s) to {user}"
    )
    return found


def said(firebell: Firebell, channel: str) -> str:
    """Everything the bot posted in a channel, as one string (blocks included)."""
    return "\n".join(json.dumps(m.blocks) for m in firebell.bot_messages(channel))


def declare_checkout(firebell: Firebell, severity: str = "sev1") -> str:
    """Alice declares for checkout; returns the war room's id once it is ready."""
    firebell.driver.slash_command(
        "/incident", f"declare {severity} Payments failing --service checkout", user="alice", channel="general"
    )
    return firebell.war_room(1).id


def action_ids(message: Message) -> list[str]:
    return [e["action_id"] for b in message.blocks if b.get("type") == "actions" for e in b["elements"]]


def block_text(message: Message) -> Any:
    return json.dumps(message.blocks)
