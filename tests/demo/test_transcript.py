"""The transcript shows what the Slack client would: joins, and which mentions notify, from real Web API calls."""

import io
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from firebell.demo.stack import demo_workspace
from firebell.demo.transcript import Transcript, make_console
from firebell.emulator import EmulatorServer, SlackEmulator


@pytest.fixture
def emu() -> SlackEmulator:
    return demo_workspace()


@pytest.fixture
def client(emu: SlackEmulator) -> Iterator[WebClient]:
    with EmulatorServer(emu) as server:
        yield WebClient(token=emu.bot_token, base_url=server.api_url)


def test_invitations_show_as_joins(client: WebClient, emu: SlackEmulator) -> None:
    out = io.StringIO()
    transcript = Transcript(emu, make_console(color=False, file=out), color=False)
    transcript.prime()
    room = client.conversations_create(name="inc-1-db-down")["channel"]["id"]
    client.conversations_invite(channel=room, users=f"{emu.user_id('alice')},{emu.user_id('bob')}")
    transcript.flush()
    text = out.getvalue()
    assert "#inc-1-db-down  channel created" in text
    assert "#inc-1-db-down  Alice Moreau\n    (@Alice Moreau has joined the channel)" in text
    assert "#inc-1-db-down  Bob Okafor\n    (@Bob Okafor has joined the channel)" in text
    assert "‹" not in text  # joining notifies no one


def test_mentions_that_notify_are_marked_and_text_that_reads_like_one_is_not(
    client: WebClient, emu: SlackEmulator
) -> None:
    out = io.StringIO()
    transcript = Transcript(emu, make_console(color=False, file=out), color=False)
    transcript.prime()
    alice = emu.user_id("alice")
    general = emu.channel("general").id
    client.chat_postMessage(
        channel=general,
        text="fallback",
        blocks=[
            {"type": "header", "text": {"type": "plain_text", "text": "INC-1: @channel <!channel> db down"}},
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"<!channel> real; @channel and &lt;!channel&gt; are text; IC <@{alice}>",
                    "verbatim": True,
                },
            },
        ],
    )
    transcript.flush()
    text = out.getvalue()
    assert "INC-1: @CHANNEL <!CHANNEL> DB DOWN" in text  # plain_text: as typed, nothing notifies
    assert "‹@channel› real; @channel and <!channel> are text; IC ‹@Alice Moreau›" in text
