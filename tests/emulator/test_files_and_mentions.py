"""The files v2 upload flow through files_upload_v2, and mentions()."""

from __future__ import annotations

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from firebell.emulator import EmulatorServer, Message, SlackEmulator, mentions

from .conftest import TOKEN


def test_files_upload_v2(client: WebClient, emu: SlackEmulator) -> None:
    general = emu.channel("general").id
    response = client.files_upload_v2(
        channel=general,
        content="# Postmortem\n\nAll good.",
        filename="postmortem-inc-1.md",
        title="INC-1 postmortem",
        initial_comment="Draft postmortem attached",
    )
    assert response["file"]["id"].startswith("F")
    [uploaded] = emu.files
    assert uploaded.name == "postmortem-inc-1.md" and uploaded.title == "INC-1 postmortem"
    assert uploaded.content == b"# Postmortem\n\nAll good." and uploaded.channels == [general]
    [share] = emu.messages(general)
    assert share.text == "Draft postmortem attached" and share.files == [uploaded.id]
    info = client.files_info(file=uploaded.id)["file"]
    assert info["size"] == len(uploaded.content) and info["title"] == "INC-1 postmortem"
    history = client.conversations_history(channel=general)["messages"]
    assert history[0]["files"][0]["id"] == uploaded.id
    assert [c.method for c in emu.calls][:2] == ["files.getUploadURLExternal", "files.completeUploadExternal"]
    assert emu.violations == []


def test_upload_flow_errors(client: WebClient, server: EmulatorServer, emu: SlackEmulator) -> None:
    reserved = client.files_getUploadURLExternal(filename="a.txt", length=5)
    with pytest.raises(SlackApiError) as exc:  # bytes never posted
        client.files_completeUploadExternal(files=[{"id": reserved["file_id"], "title": "a"}])
    assert exc.value.response["error"] == "file_not_found"
    assert httpx.post(reserved["upload_url"], content=b"123").status_code == 200
    assert "declared length=5" in emu.violations[-1]
    with pytest.raises(SlackApiError) as exc:
        client.files_completeUploadExternal(files=[{"id": reserved["file_id"]}], channel_id=emu.channel("random").id)
    assert exc.value.response["error"] == "not_in_channel"
    client.files_completeUploadExternal(files=[{"id": reserved["file_id"]}])  # private: no channel
    assert emu.files[0].channels == [] and emu.messages("general") == []
    assert httpx.post(f"{server.url}/upload/F0NOPE", content=b"x").status_code == 404
    with pytest.raises(SlackApiError):
        WebClient(token=TOKEN, base_url=server.api_url).files_info(file="F0NOPE")


def test_mentions_of_text_and_blocks() -> None:
    assert mentions("hi <@U0ALICE000> and <@U0BOB00000|bob>") == {"U0ALICE000", "U0BOB00000"}
    assert mentions("<!here> <!channel|channel> <!everyone>") == {"here", "channel", "everyone"}
    assert mentions("<!here|here> ping") == {"here"}
    assert mentions("&lt;!channel&gt; is escaped, so is &lt;@U0ALICE000&gt;") == set()
    assert mentions("@alice and @here are not mentions") == set()
    assert mentions("team <!subteam^S0ONCALL|@oncall>") == {"S0ONCALL"}
    message = {
        "text": "fallback",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "<!channel> in plain_text does not ping"}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "IC <@U0CAROL000>"},
                "fields": [{"type": "mrkdwn", "text": "<!here>"}, {"type": "plain_text", "text": "<@U0DAVE0000>"}],
            },
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "cc <@U0ERIN0000>"}]},
            {
                "type": "rich_text",
                "elements": [
                    {
                        "type": "rich_text_section",
                        "elements": [
                            {"type": "user", "user_id": "U0BOB00000"},
                            {"type": "text", "text": "<!everyone>"},
                            {"type": "broadcast", "range": "channel"},
                        ],
                    }
                ],
            },
        ],
    }
    assert mentions(message) == {"U0CAROL000", "here", "U0ERIN0000", "U0BOB00000", "channel"}


def test_mentions_of_stored_messages(client: WebClient, emu: SlackEmulator) -> None:
    ts = client.chat_postMessage(
        channel="general",
        text=f"IC is <@{emu.user_id('alice')}>",
        blocks=[{"type": "section", "text": {"type": "plain_text", "text": "<!channel>"}}],
    )["ts"]
    message = emu.message("general", ts)
    assert isinstance(message, Message)
    assert mentions(message) == {emu.user_id("alice")}
