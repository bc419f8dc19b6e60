"""Scopes by conversation type: a call on a private channel needs the groups:* scope, on a DM the im:* one."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from firebell.emulator import SlackEmulator
from firebell.emulator.scopes import needed_for_type

TOPIC_SCOPES = ("channels:write.topic", "groups:write.topic", "im:write.topic", "channels:manage", "groups:write")


def test_needed_for_type_picks_the_family_of_the_conversation() -> None:
    assert needed_for_type(TOPIC_SCOPES, {"channels:manage"}, "public_channel") == ()
    assert needed_for_type(TOPIC_SCOPES, {"channels:manage"}, "private_channel") == (
        "groups:write.topic",
        "groups:write",
    )
    assert needed_for_type(TOPIC_SCOPES, {"groups:write"}, "private_channel") == ()
    assert needed_for_type(TOPIC_SCOPES, {"channels:manage"}, "im") == ("im:write.topic",)
    assert needed_for_type(TOPIC_SCOPES, set(), "mpim") == ()  # no mpim scope listed: the handler decides
    assert needed_for_type(("chat:write",), set(), "im") == ()  # not a per-type method


@pytest.fixture
def public_only(emu: SlackEmulator) -> SlackEmulator:
    """A bot granted the public-channel scopes only (what an app without groups:*/im:* holds)."""
    emu.scopes = {"chat:write", "channels:manage", "channels:read", "channels:history", "im:write"}
    return emu


def error_and_needed(exc: pytest.ExceptionInfo[SlackApiError]) -> tuple[str, str]:
    return str(exc.value.response["error"]), str(exc.value.response.get("needed", ""))


def test_private_channels_need_the_groups_scopes(client: WebClient, public_only: SlackEmulator) -> None:
    emu = public_only
    public = emu.channel("general")
    private = emu.add_channel("secret-ops", ["alice", emu.bot_user_id], is_private=True)
    assert client.conversations_setTopic(channel=public.id, topic="ok")["ok"]
    with pytest.raises(SlackApiError) as exc:
        client.conversations_setTopic(channel=private.id, topic="no")
    assert error_and_needed(exc) == ("missing_scope", "groups:write.topic,groups:write")
    assert private.topic.value == ""
    with pytest.raises(SlackApiError) as exc:
        client.conversations_info(channel=private.id)
    assert error_and_needed(exc) == ("missing_scope", "groups:read")
    assert client.conversations_create(name="inc-9-public")["ok"]
    with pytest.raises(SlackApiError) as exc:
        client.conversations_create(name="inc-9-private", is_private=True)
    assert exc.value.response["error"] == "missing_scope"
    assert emu.channel_by_name("inc-9-private") is None
    assert any("for a private channel" in violation for violation in emu.violations)
    emu.scopes = (emu.scopes or set()) | {"groups:write", "groups:read"}
    assert client.conversations_setTopic(channel=private.id, topic="now")["ok"]
    assert client.conversations_create(name="inc-9-private", is_private=True)["ok"]


def test_dms_need_the_im_scopes(client: WebClient, public_only: SlackEmulator) -> None:
    emu = public_only
    dm = client.conversations_open(users=emu.user_id("bob"))["channel"]["id"]
    assert client.chat_postMessage(channel=dm, text="hi")["ok"]  # chat:write covers every type
    with pytest.raises(SlackApiError) as exc:
        client.conversations_history(channel=dm)
    assert error_and_needed(exc) == ("missing_scope", "im:history")
    assert client.conversations_history(channel=emu.channel("general").id)["ok"]
