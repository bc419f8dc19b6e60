"""Wire format, auth, method existence and required arguments, through a real slack_sdk WebClient."""

from __future__ import annotations

import json

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from firebell.emulator import EmulatorServer, SlackEmulator

from .conftest import TOKEN


def error_of(exc: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(exc.value.response["error"])


def test_seeded_workspace(emu: SlackEmulator) -> None:
    alice = emu.user_id("alice")
    assert alice.startswith("U") and alice == alice.upper()
    assert {emu.user(n).name for n in ("alice", "bob", "carol", "dave", "erin")} == {
        "alice",
        "bob",
        "carol",
        "dave",
        "erin",
    }
    general, incidents, random = (emu.channel_by_name(n) for n in ("general", "incidents", "random"))
    assert general is not None and incidents is not None and random is not None
    assert emu.bot_user_id in general.members and emu.bot_user_id not in incidents.members
    assert set(incidents.members) == set(emu.human_ids) == set(random.members)
    assert emu.channel(general.id) is general
    with pytest.raises(KeyError):
        emu.channel("C_NOPE")
    assert emu.add_user("frank").startswith("U")
    private = emu.add_channel("secret-ops", ["alice", emu.bot_user_id], is_private=True)
    assert private.is_private and private.members == [alice, emu.bot_user_id]


def test_auth_test_and_scopes_header(client: WebClient, emu: SlackEmulator) -> None:
    response = client.auth_test()
    assert response["user_id"] == emu.bot_user_id
    assert response["bot_id"] == emu.bot_id
    assert response["team_id"] == "T0FIREBELL"
    assert response["url"].startswith("https://")
    assert "chat:write" in response.headers["x-oauth-scopes"]
    assert emu.violations == []


def test_wrong_token_is_invalid_auth(server: EmulatorServer, emu: SlackEmulator) -> None:
    bad = WebClient(token="xoxb-wrong", base_url=server.api_url, retry_handlers=[])
    with pytest.raises(SlackApiError) as exc:
        bad.auth_test()
    assert error_of(exc) == "invalid_auth"
    assert emu.violations and "not the bot token" in emu.violations[0]


def test_json_body_needs_bearer(server: EmulatorServer, emu: SlackEmulator) -> None:
    body = {"token": TOKEN, "channel": "general", "text": "hi"}
    response = httpx.post(f"{server.api_url}chat.postMessage", json=body)
    assert response.status_code == 200
    assert response.json() == {"ok": False, "error": "not_authed"}
    assert "Bearer" in emu.violations[0]
    emu.clear_log()
    form = httpx.post(f"{server.api_url}chat.postMessage", data=body)  # form body may carry the token
    assert form.json()["ok"] is True
    query = httpx.get(f"{server.api_url}auth.test", params={"token": TOKEN})
    assert query.json()["error"] == "not_authed"
    assert "query string" in emu.violations[0]


def test_get_query_string_args_with_header_token(server: EmulatorServer, emu: SlackEmulator) -> None:
    response = httpx.get(
        f"{server.api_url}users.info",
        params={"user": emu.user_id("carol")},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.json()["user"]["name"] == "carol"
    assert emu.calls[-1].http_method == "GET"
    assert emu.calls[-1].args == {"user": emu.user_id("carol")}


def test_unknown_method(client: WebClient, emu: SlackEmulator) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.api_call("chat.postMessages", json={"channel": "general", "text": "x"})
    assert exc.value.response.data == {"ok": False, "error": "unknown_method", "req_method": "chat.postMessages"}
    assert any("chat.postMessages" in v for v in emu.violations)


def test_missing_required_arguments_use_specific_errors(client: WebClient, emu: SlackEmulator) -> None:
    cases = {
        "conversations.create": ({}, "invalid_name_required"),
        "conversations.invite": ({"channel": emu.channel("general").id}, "no_user"),
        "users.info": ({}, "user_not_found"),
        "conversations.setTopic": ({"channel": emu.channel("general").id}, "invalid_arguments"),
        "chat.postMessage": ({"channel": "general"}, "no_text"),
        "pins.add": ({}, "channel_not_found"),
    }
    for method, (params, expected) in cases.items():
        with pytest.raises(SlackApiError) as exc:
            client.api_call(method, params=params)
        assert error_of(exc) == expected, method
    assert len(emu.violations) == len(cases)
    assert "missing required argument 'name'" in emu.violations[0]


def test_arg_groups_from_patches(client: WebClient, emu: SlackEmulator) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="general", text="a", markdown_text="**a**")
    assert error_of(exc) == "markdown_text_conflict"
    with pytest.raises(SlackApiError) as exc:
        client.api_call("views.update", json={"view": {"type": "modal", "title": {"type": "plain_text", "text": "x"}}})
    assert error_of(exc) == "invalid_arguments"
    assert "view_id" in emu.violations[-1]


def test_form_arrays_are_decoded_like_slack_sdk_sends_them(client: WebClient, emu: SlackEmulator) -> None:
    channel = client.conversations_create(name="form-arrays")["channel"]["id"]
    client.conversations_invite(channel=channel, users=[emu.user_id("alice"), emu.user_id("bob")])
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*form*"}}]
    client.api_call("chat.postMessage", params={"channel": channel, "text": "t", "blocks": json.dumps(blocks)})
    [message] = [m for m in emu.messages(channel) if m.bot_id]
    assert message.blocks[0]["text"]["text"] == "*form*"
    assert {emu.user_id("alice"), emu.user_id("bob")} <= set(emu.channel(channel).members)
    assert emu.calls_to("conversations.invite")[0].args["users"] == f"{emu.user_id('alice')},{emu.user_id('bob')}"
    assert emu.violations == []


def test_calls_record_args_without_token(client: WebClient, emu: SlackEmulator) -> None:
    client.chat_postMessage(channel="general", text="hello")
    [call] = emu.calls_to("chat.postMessage")
    assert call.args == {"channel": "general", "text": "hello"}
    assert call.status == 200 and call.ok and call.response["ts"]
    assert "token" not in call.args


def test_users_list_pagination_and_lookup(client: WebClient, emu: SlackEmulator) -> None:
    first = client.users_list(limit=2)
    assert len(first["members"]) == 2
    cursor = first["response_metadata"]["next_cursor"]
    assert cursor
    names = [m["name"] for m in first["members"]]
    while cursor:
        page = client.users_list(limit=2, cursor=cursor)
        names += [m["name"] for m in page["members"]]
        cursor = page["response_metadata"]["next_cursor"]
    assert sorted(names) == sorted(u.name for u in emu.users.values())
    assert client.users_lookupByEmail(email="bob@firebell.test")["user"]["id"] == emu.user_id("bob")
    with pytest.raises(SlackApiError) as exc:
        client.users_list(cursor="not-a-cursor")
    assert error_of(exc) == "invalid_cursor"


def test_usergroups_list_answers_handles_and_members(client: WebClient, emu: SlackEmulator) -> None:
    group = emu.add_usergroup("platform-oncall", members=("alice", "bob"))
    [listed] = client.usergroups_list(include_users=True)["usergroups"]
    assert (listed["id"], listed["handle"], listed["user_count"]) == (group, "platform-oncall", 2)
    assert listed["users"] == [emu.user_id("alice"), emu.user_id("bob")]
    emu.scopes = {"chat:write"}
    with pytest.raises(SlackApiError) as exc:
        client.usergroups_list()
    assert error_of(exc) == "missing_scope"


def test_known_but_unimplemented_methods_are_flagged(client: WebClient, emu: SlackEmulator) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.api_call("usergroups.create", params={"name": "Ops"})
    assert error_of(exc) == "not_implemented"
    assert "does not implement" in emu.violations[0]


def test_unknown_arguments_are_warnings(client: WebClient, emu: SlackEmulator) -> None:
    client.chat_postMessage(channel="general", text="x", thread_id="123")
    assert emu.violations == []
    assert any("thread_id" in w for w in emu.warnings)


def test_wait_for_reports_recent_calls(client: WebClient, emu: SlackEmulator) -> None:
    client.auth_test()
    assert emu.wait_for(lambda e: len(e.calls), timeout=0.5) == 1
    with pytest.raises(AssertionError, match=r"auth\.test"):
        emu.wait_for(lambda e: e.channel_by_name("never"), timeout=0.1)


def test_multipart_and_empty_topic(server: EmulatorServer, emu: SlackEmulator, client: WebClient) -> None:
    response = httpx.post(
        f"{server.api_url}chat.postMessage",
        data={"channel": "general", "text": "multipart"},
        files={"unused": ("a.txt", b"bytes")},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.json()["ok"] is True
    assert emu.messages("general")[0].text == "multipart"
    general = emu.channel("general").id
    client.conversations_setTopic(channel=general, topic="set")
    client.conversations_setTopic(channel=general, topic="")  # clearing is allowed
    assert emu.channel(general).topic.value == ""
    assert emu.violations == []
