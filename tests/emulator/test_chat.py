"""chat.*, pins.*, reactions.*, bookmarks.*: state changes and Slack's errors."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from firebell.emulator import SlackEmulator

SECTION = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Incident* declared"}}]


def error_of(exc: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(exc.value.response["error"])


def test_post_message_shape_and_state(client: WebClient, emu: SlackEmulator) -> None:
    response = client.chat_postMessage(
        channel="general",
        text="Incident declared",
        blocks=SECTION,
        metadata={"event_type": "incident_declared", "event_payload": {"id": 1}},
    )
    ts = response["ts"]
    seconds, micros = ts.split(".")
    assert seconds.isdigit() and len(micros) == 6
    assert response["channel"] == emu.channel("general").id
    message = response["message"]
    assert message["user"] == emu.bot_user_id and message["bot_id"] == emu.bot_id
    assert message["bot_profile"]["app_id"] == emu.app_id
    assert message["blocks"][0]["block_id"]  # Slack fills in block ids
    stored = emu.message("general", ts)
    assert stored.metadata == {"event_type": "incident_declared", "event_payload": {"id": 1}}
    assert stored.text == "Incident declared" and stored.blocks[0]["text"]["text"] == "*Incident* declared"
    assert emu.violations == [] and emu.warnings == []


def test_ts_values_are_unique_and_increasing(client: WebClient, emu: SlackEmulator) -> None:
    stamps = [client.chat_postMessage(channel="general", text=str(i))["ts"] for i in range(20)]
    as_numbers = [tuple(map(int, ts.split("."))) for ts in stamps]
    assert as_numbers == sorted(set(as_numbers))


def test_no_text_and_blocks_without_fallback(client: WebClient, emu: SlackEmulator) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.api_call("chat.postMessage", json={"channel": "general", "text": ""})
    assert error_of(exc) == "no_text"
    with pytest.warns(UserWarning, match="text"):  # slack_sdk itself warns about the missing fallback text
        client.chat_postMessage(channel="general", blocks=SECTION)
    assert any("fallback" in w for w in emu.warnings)


def test_long_text_is_truncated_with_a_warning(client: WebClient, emu: SlackEmulator) -> None:
    response = client.chat_postMessage(channel="general", text="x" * 40_050)
    assert response["warning"] == "message_truncated"
    assert response["response_metadata"]["warnings"] == ["message_truncated"]
    assert len(emu.message("general", response["ts"]).text) == 40_000
    assert "truncated" in emu.violations[0]


def test_cumulative_blocks_text_limit(client: WebClient, emu: SlackEmulator) -> None:
    emu.msg_blocks_limit = 5_000
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "y" * 2_000}} for _ in range(3)]
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="general", text="t", blocks=blocks)
    assert error_of(exc) == "msg_blocks_too_long"
    emu.msg_blocks_limit = 12_000
    client.chat_postMessage(channel="general", text="t", blocks=blocks)


def test_update_delete_and_edit_counts(client: WebClient, emu: SlackEmulator) -> None:
    ts = client.chat_postMessage(channel="general", text="v1", blocks=SECTION)["ts"]
    updated = client.chat_update(channel=emu.channel("general").id, ts=ts, text="v2")
    assert updated["text"] == "v2" and updated["ts"] == ts
    message = emu.message("general", ts)
    assert message.edited == 1 and message.blocks  # blocks kept when not sent
    client.chat_update(channel=emu.channel("general").id, ts=ts, text="v3", blocks=[])
    assert message.edited == 2 and message.blocks == []
    with pytest.raises(SlackApiError) as exc:
        client.chat_update(channel=emu.channel("general").id, ts=ts, text="z" * 4_001)
    assert error_of(exc) == "msg_too_long"
    with pytest.raises(SlackApiError) as exc:
        client.chat_update(channel=emu.channel("general").id, ts="1.000001", text="x")
    assert error_of(exc) == "message_not_found"
    human = emu.post_as_user("alice", "general", "mine")
    with pytest.raises(SlackApiError) as exc:
        client.chat_update(channel=emu.channel("general").id, ts=human.ts, text="x")
    assert error_of(exc) == "cant_update_message"
    with pytest.raises(SlackApiError) as exc:
        client.chat_delete(channel=emu.channel("general").id, ts=human.ts)
    assert error_of(exc) == "cant_delete_message"
    client.chat_delete(channel=emu.channel("general").id, ts=ts)
    with pytest.raises(KeyError):
        emu.message("general", ts)


def test_post_ephemeral_and_permalink(client: WebClient, emu: SlackEmulator) -> None:
    general = emu.channel("general").id
    response = client.chat_postEphemeral(channel=general, user=emu.user_id("bob"), text="only for bob")
    [ephemeral] = emu.ephemerals
    assert (ephemeral.user, ephemeral.text, ephemeral.via, ephemeral.ts) == (
        emu.user_id("bob"),
        "only for bob",
        "chat.postEphemeral",
        response["message_ts"],
    )
    emu.add_user("zed")
    with pytest.raises(SlackApiError) as exc:
        client.chat_postEphemeral(channel=general, user=emu.user_id("zed"), text="x")
    assert error_of(exc) == "user_not_in_channel"
    ts = client.chat_postMessage(channel=general, text="link me")["ts"]
    link = client.chat_getPermalink(channel=general, message_ts=ts)["permalink"]
    assert link.endswith(f"/archives/{general}/p{ts.replace('.', '')}")


def test_pins(client: WebClient, emu: SlackEmulator) -> None:
    general = emu.channel("general").id
    ts = client.chat_postMessage(channel=general, text="pin me")["ts"]
    client.pins_add(channel=general, timestamp=ts)
    assert emu.message(general, ts).pinned
    with pytest.raises(SlackApiError) as exc:
        client.pins_add(channel=general, timestamp=ts)
    assert error_of(exc) == "already_pinned"
    with pytest.raises(SlackApiError) as exc:
        client.pins_add(channel=general, timestamp="1.000001")
    assert error_of(exc) == "message_not_found"
    items = client.pins_list(channel=general)["items"]
    assert [i["message"]["ts"] for i in items] == [ts]
    client.pins_remove(channel=general, timestamp=ts)
    assert not emu.message(general, ts).pinned
    random = emu.channel("random").id
    human = emu.post_as_user("alice", random, "not here")
    with pytest.raises(SlackApiError) as exc:
        client.pins_add(channel=random, timestamp=human.ts)
    assert error_of(exc) == "not_in_channel"


def test_reactions(client: WebClient, emu: SlackEmulator) -> None:
    general = emu.channel("general").id
    ts = client.chat_postMessage(channel=general, text="react")["ts"]
    client.reactions_add(channel=general, timestamp=ts, name="eyes")
    with pytest.raises(SlackApiError) as exc:
        client.reactions_add(channel=general, timestamp=ts, name="eyes")
    assert error_of(exc) == "already_reacted"
    with pytest.raises(SlackApiError) as exc:
        client.reactions_add(channel=general, timestamp=ts, name=":eyes:")
    assert error_of(exc) == "invalid_name"
    emu.add_reaction("alice", general, ts, "eyes")
    got = client.reactions_get(channel=general, timestamp=ts)["message"]["reactions"]
    assert got == [{"name": "eyes", "users": [emu.bot_user_id, emu.user_id("alice")], "count": 2}]
    client.reactions_remove(channel=general, timestamp=ts, name="eyes")
    with pytest.raises(SlackApiError) as exc:
        client.reactions_remove(channel=general, timestamp=ts, name="eyes")
    assert error_of(exc) == "no_reaction"


def test_bookmarks(client: WebClient, emu: SlackEmulator) -> None:
    general = emu.channel("general").id
    added = client.bookmarks_add(channel_id=general, title="Bridge", type="link", link="https://meet.example.com/1")
    bookmark = added["bookmark"]
    assert bookmark["id"].startswith("Bk") and bookmark["link"] == "https://meet.example.com/1"
    with pytest.raises(SlackApiError) as exc:
        client.bookmarks_add(channel_id=general, title="Bad", type="link", link="meet.example.com")
    assert error_of(exc) == "invalid_link"
    with pytest.raises(SlackApiError) as exc:
        client.bookmarks_add(channel_id=general, title="Msg", type="message", link="https://x.example")
    assert error_of(exc) == "invalid_bookmark_type"
    client.bookmarks_edit(channel_id=general, bookmark_id=bookmark["id"], title="Video bridge")
    listed = client.bookmarks_list(channel_id=general)["bookmarks"]
    assert [(b["title"], b["link"]) for b in listed] == [("Video bridge", "https://meet.example.com/1")]
    for i in range(99):
        client.bookmarks_add(channel_id=general, title=f"b{i}", type="link", link=f"https://e.example/{i}")
    with pytest.raises(SlackApiError) as exc:
        client.bookmarks_add(channel_id=general, title="one too many", type="link", link="https://e.example/x")
    assert error_of(exc) == "too_many_bookmarks"
    client.bookmarks_remove(channel_id=general, bookmark_id=bookmark["id"])
    assert len(emu.channel("general").bookmarks) == 99
