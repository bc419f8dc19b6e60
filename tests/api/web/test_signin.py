"""Sign in with Slack over real HTTP against the emulator: the workspace only, state and cookies that cannot be
forged, tampered with or replayed late, sign-out, and no page without a session."""

from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest

from firebell.api.web.sessions import SESSION_COOKIE, STATE_COOKIE
from firebell.services.incidents import DeclareRequest, declare_incident
from tests.api.web.conftest import WebStarter, at_slack, query_of, sign_in, start_sign_in
from tests.harness import Firebell


def set_cookie_headers(response: httpx.Response) -> list[str]:
    return response.headers.get_list("set-cookie")


def test_signing_in_through_slack_opens_the_incident_list(browser: httpx.Client, signin_firebell: Firebell) -> None:
    fb = signin_firebell
    declare_incident(fb.runtime.ctx, DeclareRequest(title="Checkout failing", declared_by="U0ALICE"))
    first = browser.get(f"{fb.url}/incidents")
    assert first.status_code == 303 and first.headers["location"] == "/auth/slack/login?next=%2Fincidents"
    assert "Checkout failing" not in first.text

    authorize = start_sign_in(browser, fb)
    assert authorize.startswith(f"{fb.slack.url}/openid/connect/authorize?")
    asked = query_of(authorize)
    assert asked["response_type"] == "code" and asked["scope"] == "openid profile email"
    assert asked["client_id"] == fb.emu.oidc.client_id and asked["team"] == fb.emu.team_id
    assert asked["redirect_uri"] == f"{fb.url}/auth/slack/callback"
    assert asked["state"] and len(asked["nonce"]) >= 20
    state_cookie = browser.cookies.jar
    assert any(c.name == STATE_COOKIE and c.path == "/auth/slack" for c in state_cookie)

    back = browser.get(at_slack(browser, authorize, "alice"))
    assert back.status_code == 303 and back.headers["location"] == "/incidents"
    [session] = [h for h in set_cookie_headers(back) if h.startswith(f"{SESSION_COOKIE}=")]
    attributes = {part.strip().split("=")[0].lower() for part in session.split(";")}
    assert {"httponly", "path", "max-age"} <= attributes and "secure" not in attributes  # http base URL
    assert "Path=/incidents" in session and "SameSite=lax" in session.replace("Lax", "lax")

    page = browser.get(f"{fb.url}/incidents")
    assert page.status_code == 200
    assert "Checkout failing" in page.text and "Signed in as Alice" in page.text
    assert browser.get(f"{fb.url}/incidents/1").status_code == 200
    # The session is the web view's alone: never sent to the API, the health check or the Slack endpoint.
    sent_to = {c.path for c in browser.cookies.jar if c.name == SESSION_COOKIE}
    assert sent_to == {"/incidents"}
    calls = [c.method for c in fb.emu.calls if c.method.startswith("openid.")]
    assert calls == ["openid.connect.token", "openid.connect.userInfo"]


def test_a_next_page_is_kept_but_never_another_site(browser: httpx.Client, signin_firebell: Firebell) -> None:
    fb = signin_firebell
    declare_incident(fb.runtime.ctx, DeclareRequest(title="Search slow", declared_by="U0ALICE"))
    wanted = browser.get(f"{fb.url}/incidents/1?x=1")
    assert wanted.headers["location"] == "/auth/slack/login?next=%2Fincidents%2F1%3Fx%3D1"
    back = browser.get(at_slack(browser, start_sign_in(browser, fb, "/incidents/1?x=1")))
    assert back.headers["location"] == "/incidents/1?x=1"
    for elsewhere in ("https://evil.example/incidents", "//evil.example/incidents", "/incidentsevil", "/api/v1/x"):
        browser.cookies.clear()
        back = browser.get(at_slack(browser, start_sign_in(browser, fb, elsewhere)))
        assert back.headers["location"] == "/incidents", elsewhere


def test_someone_from_another_workspace_is_refused(browser: httpx.Client, signin_firebell: Firebell) -> None:
    fb = signin_firebell
    refused = sign_in(browser, signin_firebell, "bob", team="T0ELSEWHERE")
    assert refused.status_code == 403
    assert "different Slack workspace" in refused.text
    assert not any(h.startswith(f"{SESSION_COOKIE}=") for h in set_cookie_headers(refused))
    assert browser.get(f"{fb.url}/incidents").status_code == 303


def test_the_configured_workspace_wins_over_the_bot_tokens(browser: httpx.Client, start_web: WebStarter) -> None:
    with start_web(mode="slack", firebell_slack_team_id="T0OTHERWS") as fb:
        assert query_of(start_sign_in(browser, fb))["team"] == "T0OTHERWS"
        browser.cookies.clear()
        refused = sign_in(browser, fb, "alice", team=fb.emu.team_id)  # alice signs in to her own workspace
        assert refused.status_code == 403 and "different Slack workspace" in refused.text


def test_a_forged_or_foreign_state_is_refused(browser: httpx.Client, signin_firebell: Firebell) -> None:
    fb = signin_firebell
    callback = at_slack(browser, start_sign_in(browser, fb))
    code, state = query_of(callback)["code"], query_of(callback)["state"]
    forged = browser.get(f"{fb.url}/auth/slack/callback", params={"code": code, "state": state[:-2] + "xx"})
    assert forged.status_code == 400 and "not one Firebell issued" in forged.text
    missing = browser.get(f"{fb.url}/auth/slack/callback", params={"code": code})
    assert missing.status_code == 400 and "without its state" in missing.text
    # The same state from a browser that did not start the sign-in (no binding cookie): refused.
    with httpx.Client(timeout=10) as other:
        stolen = other.get(callback)
    assert stolen.status_code == 400 and "another browser" in stolen.text
    assert browser.get(f"{fb.url}/incidents").status_code == 303
    assert not [c for c in fb.emu.calls if c.method == "openid.connect.token"]  # nothing was exchanged


def test_a_state_older_than_ten_minutes_is_refused(browser: httpx.Client, signin_firebell: Firebell) -> None:
    fb = signin_firebell
    callback = at_slack(browser, start_sign_in(browser, fb))
    assert fb.clock is not None
    fb.clock.advance(timedelta(minutes=11))
    late = browser.get(callback)
    assert late.status_code == 400 and "took too long" in late.text


def test_a_code_slack_did_not_issue_is_refused(browser: httpx.Client, signin_firebell: Firebell) -> None:
    fb = signin_firebell
    callback = at_slack(browser, start_sign_in(browser, fb))
    wrong = browser.get(f"{fb.url}/auth/slack/callback", params={"code": "123", "state": query_of(callback)["state"]})
    assert wrong.status_code == 403 and "invalid_code" in wrong.text
    # A refusal ends that sign-in (its state cookie is cleared); someone who cancels at Slack starts again too.
    again = browser.get(callback)
    assert again.status_code == 400 and "another browser" in again.text
    state = query_of(start_sign_in(browser, fb))["state"]
    denied = browser.get(f"{fb.url}/auth/slack/callback", params={"error": "access_denied", "state": state})
    assert denied.status_code == 400 and "access_denied" in denied.text


def test_a_tampered_or_expired_session_cookie_is_refused(browser: httpx.Client, signin_firebell: Firebell) -> None:
    fb = signin_firebell
    assert sign_in(browser, fb).status_code == 303
    assert browser.get(f"{fb.url}/incidents").status_code == 200
    value = browser.cookies.get(SESSION_COOKIE, path="/incidents")
    assert value is not None
    payload, _, signature = value.rpartition(".")
    tampered = {
        "signature": f"{payload}.{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        "payload": value.replace(value.split(".")[0], value.split(".")[0][:-1] + "x", 1),
        "garbage": "not-a-session",
    }
    for what, forged in tampered.items():
        answer = httpx.get(f"{fb.url}/incidents", cookies={SESSION_COOKIE: forged})
        assert answer.status_code == 303, what
    assert fb.clock is not None
    fb.clock.advance(timedelta(hours=13))
    assert browser.get(f"{fb.url}/incidents").status_code == 303


def test_signing_out_ends_the_session(browser: httpx.Client, signin_firebell: Firebell) -> None:
    fb = signin_firebell
    sign_in(browser, fb)
    assert browser.get(f"{fb.url}/incidents").status_code == 200
    out = browser.get(f"{fb.url}/auth/logout")
    assert out.status_code == 200 and "signed out" in out.text
    assert any(h.startswith(f"{SESSION_COOKIE}=") and "Path=/incidents" in h for h in set_cookie_headers(out))
    assert browser.cookies.get(SESSION_COOKIE) is None
    assert browser.get(f"{fb.url}/incidents").status_code == 303


@pytest.mark.parametrize(
    "path", ["/incidents", "/incidents?status=open", "/incidents?status=nonsense", "/incidents/1", "/incidents/999"]
)
def test_every_page_needs_a_session(path: str, browser: httpx.Client, signin_firebell: Firebell) -> None:
    fb = signin_firebell
    declare_incident(fb.runtime.ctx, DeclareRequest(title="Secret outage", declared_by="U0ALICE"))
    answer = browser.get(f"{fb.url}{path}")
    assert answer.status_code == 303 and urlsplit(answer.headers["location"]).path == "/auth/slack/login"
    assert "Secret outage" not in answer.text


def test_a_session_from_a_workspace_no_longer_configured_is_no_session(
    browser: httpx.Client, start_web: WebStarter
) -> None:
    with start_web(mode="slack") as fb:
        assert sign_in(browser, fb, "alice").status_code == 303
        assert browser.get(f"{fb.url}/incidents").status_code == 200
    with start_web(mode="slack") as same:  # the same secret and workspace: the cookie still opens the view
        assert browser.get(f"{same.url}/incidents").status_code == 200
    with start_web(mode="slack", firebell_slack_team_id="T0OTHERWS") as moved:  # the workspace was changed since
        again = browser.get(f"{moved.url}/incidents")
        assert again.status_code == 303 and again.headers["location"] == "/auth/slack/login?next=%2Fincidents"
