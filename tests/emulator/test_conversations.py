"""conversations.*: name rules, membership, invites, topic, archive, listing, history and replies."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from firebell.emulator import SlackEmulator
from firebell.emulator.names import channel_name_error


def error_of(exc: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(exc.value.response["error"])


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "invalid_name_required"),
        ("a" * 81, "invalid_name_maxlength"),
        ("Checkout", "invalid_name_specials"),
        ("inc 1", "invalid_name_specials"),
        ("inc-1-🔥", "invalid_name_specials"),
        ("inc.1", "invalid_name_specials"),
        ("---", "invalid_name_punctuation"),
        ("a" * 80, None),
        ("inc-1_checkout-2", None),
    ],
)
def test_channel_name_rules(name: str, error: str | None) -> None:
    assert channel_name_error(name) == error


def test_create_bad_names_and_name_taken(client: WebClient, emu: SlackEmulator) -> None:
    for bad, expected in [
        ("Inc-1", "invalid_name_specials"),
        ("x" * 81, "invalid_name_maxlength"),
        ("__", "invalid_name_punctuation"),
    ]:
        with pytest.raises(SlackApiError) as exc:
            client.conversations_create(name=bad)
        assert error_of(exc) == expected
    assert len(emu.violations) == 3
    emu.clear_log()
    with pytest.raises(SlackApiError) as exc:
        client.conversations_create(name="general")
    assert error_of(exc) == "name_taken"
    assert emu.violations == []  # state-dependent errors are not rule violations


def test_create_returns_a_realistic_channel(client: WebClient, emu: SlackEmulator) -> None:
    created = client.conversations_create(name="inc-7-db", is_private=True)["channel"]
    assert created["id"].startswith("C") and created["name"] == "inc-7-db"
    assert created["is_private"] is True and created["is_member"] is True and created["is_channel"] is True
    assert created["creator"] == emu.bot_user_id
    assert set(created["topic"]) == {"value", "creator", "last_set"}
    assert emu.channel(created["id"]).members == [emu.bot_user_id]
    info = client.conversations_info(channel=created["id"], include_num_members=True)["channel"]
    assert info["num_members"] == 1


def test_not_in_channel_then_join(client: WebClient, emu: SlackEmulator) -> None:
    incidents = emu.channel("incidents")
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel=incidents.id, text="hello")
    assert error_of(exc) == "not_in_channel"
    with pytest.raises(SlackApiError) as exc:
        client.conversations_history(channel=incidents.id)
    assert error_of(exc) == "not_in_channel"
    joined = client.conversations_join(channel=incidents.id)
    assert joined["channel"]["is_member"] is True
    again = client.conversations_join(channel=incidents.id)
    assert again["warning"] == "already_in_channel"
    client.chat_postMessage(channel="#incidents", text="by name works for chat.postMessage")
    assert [m.text for m in emu.messages("incidents")] == ["by name works for chat.postMessage"]
    assert emu.messages("incidents", include_system=True)[0].subtype == "channel_join"
    with pytest.raises(SlackApiError) as exc:
        client.conversations_info(channel="incidents")  # conversations.* need ids
    assert error_of(exc) == "channel_not_found"


def test_private_channels_are_invisible_to_non_members(client: WebClient, emu: SlackEmulator) -> None:
    secret = emu.add_channel("secret", ["alice"], is_private=True)
    for method, params in [
        ("conversations.info", {"channel": secret.id}),
        ("chat.postMessage", {"channel": secret.id, "text": "x"}),
        ("conversations.join", {"channel": secret.id}),
    ]:
        with pytest.raises(SlackApiError) as exc:
            client.api_call(method, params=params)
        assert error_of(exc) == "channel_not_found"
    names = [c["name"] for c in client.conversations_list(types="public_channel,private_channel")["channels"]]
    assert "secret" not in names


def test_invite_errors(client: WebClient, emu: SlackEmulator) -> None:
    alice, bob = emu.user_id("alice"), emu.user_id("bob")
    room = client.conversations_create(name="inc-2")["channel"]["id"]
    client.conversations_invite(channel=room, users=alice)
    with pytest.raises(SlackApiError) as exc:
        client.conversations_invite(channel=room, users=alice)
    assert error_of(exc) == "already_in_channel"
    assert exc.value.response["errors"] == [{"user": alice, "ok": False, "error": "already_in_channel"}]
    with pytest.raises(SlackApiError) as exc:
        client.conversations_invite(channel=room, users="U0NOBODY00")
    assert error_of(exc) == "user_not_found"
    with pytest.raises(SlackApiError) as exc:
        client.conversations_invite(channel=room, users=[alice, bob])  # one bad user blocks the whole call
    assert bob not in emu.channel(room).members
    forced = client.conversations_invite(channel=room, users=[alice, bob], force=True)
    assert bob in emu.channel(room).members and forced["errors"][0]["error"] == "already_in_channel"
    assert emu.violations == []
    with pytest.raises(SlackApiError) as exc:
        client.conversations_invite(channel=room, users=emu.bot_user_id)
    assert error_of(exc) == "cant_invite_self"
    assert "invite itself" in emu.violations[0]
    with pytest.raises(SlackApiError) as exc:
        client.conversations_invite(channel=emu.channel("random").id, users=alice)
    assert error_of(exc) == "not_in_channel"
    client.conversations_archive(channel=room)
    with pytest.raises(SlackApiError) as exc:
        client.conversations_invite(channel=room, users=emu.user_id("carol"))
    assert error_of(exc) == "is_archived"


def test_topic_purpose_archive(client: WebClient, emu: SlackEmulator) -> None:
    room = client.conversations_create(name="inc-3")["channel"]["id"]
    client.conversations_setTopic(channel=room, topic="SEV1 | Investigating")
    assert emu.channel(room).topic.value == "SEV1 | Investigating"
    assert emu.channel(room).topic.creator == emu.bot_user_id
    with pytest.raises(SlackApiError) as exc:
        client.conversations_setTopic(channel=room, topic="x" * 251)
    assert error_of(exc) == "too_long"
    assert "251" in emu.violations[-1]
    client.conversations_setPurpose(channel=room, purpose="Checkout incident")
    assert emu.channel(room).purpose.value == "Checkout incident"
    with pytest.raises(SlackApiError) as exc:
        client.conversations_setTopic(channel=emu.channel("random").id, topic="x")
    assert error_of(exc) == "not_in_channel"
    with pytest.raises(SlackApiError) as exc:
        client.conversations_archive(channel=emu.channel("general").id)
    assert error_of(exc) == "cant_archive_general"
    client.conversations_archive(channel=room)
    with pytest.raises(SlackApiError) as exc:
        client.conversations_archive(channel=room)
    assert error_of(exc) == "already_archived"
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel=room, text="x")
    assert error_of(exc) == "is_archived"
    client.conversations_unarchive(channel=room)
    assert not emu.channel(room).is_archived


def test_list_pagination_and_filters(client: WebClient, emu: SlackEmulator) -> None:
    for i in range(5):
        client.conversations_create(name=f"inc-{i}")
    client.conversations_archive(channel=emu.channel("inc-0").id)
    seen: list[str] = []
    cursor = None
    while True:
        page = client.conversations_list(limit=2, cursor=cursor, exclude_archived=True)
        assert len(page["channels"]) <= 2
        seen += [c["name"] for c in page["channels"]]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(["general", "incidents", "random", "inc-1", "inc-2", "inc-3", "inc-4"])
    with pytest.raises(SlackApiError) as exc:
        client.conversations_list(types="public_channel,bogus")
    assert error_of(exc) == "invalid_types"
    members = client.conversations_members(channel=emu.channel("general").id, limit=3)
    assert len(members["members"]) == 3 and members["response_metadata"]["next_cursor"]


def test_open_dm_and_post(client: WebClient, emu: SlackEmulator) -> None:
    opened = client.conversations_open(users=emu.user_id("dave"))
    dm = opened["channel"]["id"]
    assert dm.startswith("D")
    again = client.conversations_open(users=emu.user_id("dave"))
    assert again["channel"]["id"] == dm and again["already_open"] is True
    client.chat_postMessage(channel=dm, text="psst")
    client.chat_postMessage(channel=emu.user_id("dave"), text="user id posts to the DM")
    assert [m.text for m in emu.dms("dave")] == ["psst", "user id posts to the DM"]
    assert emu.dms("erin") == []


def test_history_bounds_metadata_and_pagination(client: WebClient, emu: SlackEmulator) -> None:
    general = emu.channel("general").id
    posted = [
        client.chat_postMessage(
            channel=general, text=f"m{i}", metadata={"event_type": "fb_effect", "event_payload": {"key": f"k{i}"}}
        )["ts"]
        for i in range(5)
    ]
    history = client.conversations_history(channel=general)
    assert [m["text"] for m in history["messages"]] == ["m4", "m3", "m2", "m1", "m0"]  # newest first
    assert "metadata" not in history["messages"][0]  # only with include_all_metadata
    with_meta = client.conversations_history(channel=general, include_all_metadata=True)
    assert with_meta["messages"][0]["metadata"] == {"event_type": "fb_effect", "event_payload": {"key": "k4"}}
    bounded = client.conversations_history(channel=general, oldest=posted[1], latest=posted[3])
    assert [m["text"] for m in bounded["messages"]] == ["m2"]
    inclusive = client.conversations_history(channel=general, oldest=posted[1], latest=posted[3], inclusive=True)
    assert [m["text"] for m in inclusive["messages"]] == ["m3", "m2", "m1"]
    single = client.conversations_history(channel=general, latest=posted[2], inclusive=True, limit=1)
    assert [m["ts"] for m in single["messages"]] == [posted[2]] and single["has_more"] is True
    page1 = client.conversations_history(channel=general, limit=2)
    page2 = client.conversations_history(channel=general, limit=2, cursor=page1["response_metadata"]["next_cursor"])
    assert [m["text"] for m in page1["messages"] + page2["messages"]] == ["m4", "m3", "m2", "m1"]
    with pytest.raises(SlackApiError) as exc:
        client.conversations_history(channel=general, oldest="yesterday")
    assert error_of(exc) == "invalid_ts_oldest"


def test_threads_and_replies(client: WebClient, emu: SlackEmulator) -> None:
    general = emu.channel("general").id
    parent = client.chat_postMessage(channel=general, text="parent")["ts"]
    r1 = client.chat_postMessage(channel=general, text="r1", thread_ts=parent)["ts"]
    human = emu.post_as_user("bob", general, "human reply", thread_ts=parent)
    client.chat_postMessage(channel=general, text="broadcast", thread_ts=parent, reply_broadcast=True)
    history = client.conversations_history(channel=general)["messages"]
    assert [m["text"] for m in history] == ["broadcast", "parent"]  # replies stay in the thread
    assert history[1]["reply_count"] == 3 and history[1]["latest_reply"] > r1
    assert set(history[1]["reply_users"]) == {emu.bot_user_id, emu.user_id("bob")}
    thread = client.conversations_replies(channel=general, ts=parent)["messages"]
    assert [m["text"] for m in thread] == ["parent", "r1", "human reply", "broadcast"]
    assert thread[1]["parent_user_id"] == emu.bot_user_id
    from_reply = client.conversations_replies(channel=general, ts=human.ts)["messages"]
    assert from_reply[0]["ts"] == parent
    with pytest.raises(SlackApiError) as exc:
        client.conversations_replies(channel=general, ts="1.000001")
    assert error_of(exc) == "thread_not_found"
    assert [m.text for m in emu.replies(general, parent)] == ["r1", "human reply", "broadcast"]
    assert emu.violations == []
    client.chat_postMessage(channel=general, text="reply to a reply", thread_ts=r1)
    assert "use its parent's ts" in emu.violations[0]
    assert emu.messages(general)[-1].thread_ts == parent
