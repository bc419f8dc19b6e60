"""Sign in with Slack in the emulator, over HTTP: the authorize page, the code exchange, user info."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from firebell.emulator import EmulatorServer, SlackEmulator

REDIRECT = "http://app.test/auth/slack/callback"


def authorize(server: EmulatorServer, emu: SlackEmulator, **params: str) -> httpx.Response:
    query = {
        "response_type": "code",
        "scope": "openid profile email",
        "client_id": emu.oidc.client_id,
        "redirect_uri": REDIRECT,
        "state": "s1",
        "nonce": "n1",
        **params,
    }
    return httpx.get(f"{server.url}/openid/connect/authorize", params=query)


def code_for(server: EmulatorServer, emu: SlackEmulator, **params: str) -> str:
    answer = authorize(server, emu, **params)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == REDIRECT
    query = parse_qs(back.query)
    assert query["state"] == ["s1"]
    return query["code"][0]


def test_a_chosen_user_signs_in_and_the_app_learns_who_and_from_which_workspace(
    server: EmulatorServer, emu: SlackEmulator
) -> None:
    code = code_for(server, emu, user="carol")
    app = WebClient(base_url=server.api_url)
    tokens = app.openid_connect_token(
        client_id=emu.oidc.client_id, client_secret=emu.oidc.client_secret, code=code, redirect_uri=REDIRECT
    )
    assert tokens["token_type"] == "Bearer" and str(tokens["access_token"]).startswith("xoxp-")
    assert str(tokens["id_token"]).count(".") == 2
    info = WebClient(base_url=server.api_url, token=tokens["access_token"]).openid_connect_userInfo()
    assert info["sub"] == info["https://slack.com/user_id"] == emu.user_id("carol")
    assert info["https://slack.com/team_id"] == emu.team_id
    with pytest.raises(SlackApiError, match="invalid_code"):  # a code is good once
        app.openid_connect_token(
            client_id=emu.oidc.client_id, client_secret=emu.oidc.client_secret, code=code, redirect_uri=REDIRECT
        )
    assert emu.violations == []


def test_the_exchange_checks_the_secret_the_redirect_url_and_the_code(
    server: EmulatorServer, emu: SlackEmulator
) -> None:
    app = WebClient(base_url=server.api_url)
    cases = {
        "bad_client_secret": {"client_secret": "guess"},
        "bad_redirect_uri": {"redirect_uri": "http://elsewhere.test/cb"},
        "invalid_client_id": {"client_id": "999.999"},
    }
    for error, wrong in cases.items():
        args = {
            "client_id": emu.oidc.client_id,
            "client_secret": emu.oidc.client_secret,
            "code": code_for(server, emu, user="alice"),
            "redirect_uri": REDIRECT,
            **wrong,
        }
        with pytest.raises(SlackApiError, match=error):
            app.openid_connect_token(**args)
    with pytest.raises(SlackApiError, match="not_allowed_token_type"):
        WebClient(base_url=server.api_url, token=emu.bot_token).openid_connect_userInfo()
    with pytest.raises(SlackApiError, match="invalid_auth"):
        WebClient(base_url=server.api_url, token="xoxp-made-up").openid_connect_userInfo()


def test_the_authorize_page_refuses_bad_requests_and_offers_a_choice_of_users(
    server: EmulatorServer, emu: SlackEmulator
) -> None:
    assert authorize(server, emu, client_id="999.999", user="alice").status_code == 400
    assert authorize(server, emu, scope="profile", user="alice").status_code == 400
    assert authorize(server, emu, redirect_uri="javascript:alert(1)", user="alice").status_code == 400
    assert authorize(server, emu, user="nobody-here").status_code == 400
    chooser = authorize(server, emu)
    assert chooser.status_code == 200 and "Sign in as" in chooser.text and "user=U0ALICE" in chooser.text
