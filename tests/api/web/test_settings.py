"""The web view's settings: a mode Firebell knows, and `slack` only with everything it needs (secrets never echoed)."""

import httpx
import pytest

from firebell.api.web.sessions import SESSION_COOKIE
from firebell.config import Settings, SettingsError, load_settings
from tests.api.web.conftest import SESSION_SECRET, WebStarter, at_slack, start_sign_in


def test_an_unknown_mode_names_the_valid_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIREBELL_WEB_VIEW", "public")
    with pytest.raises(SettingsError, match=r"FIREBELL_WEB_VIEW: expected one of off, open, slack, got 'public'"):
        load_settings()
    monkeypatch.setenv("FIREBELL_WEB_VIEW", "")
    assert load_settings().firebell_web_view == "off"  # docker-compose's empty value: the default


def test_slack_mode_names_each_missing_setting_and_never_a_secret() -> None:
    assert Settings().web_view_problem() is None  # off: nothing needed
    problem = Settings(firebell_web_view="slack", firebell_web_session_secret="short-secret-value").web_view_problem()
    assert problem is not None
    for name in (
        "FIREBELL_SLACK_CLIENT_ID",
        "FIREBELL_SLACK_CLIENT_SECRET",
        "FIREBELL_WEB_SESSION_SECRET (at least 32",
        "FIREBELL_WEB_BASE_URL",
    ):
        assert name in problem
    assert "short-secret-value" not in problem
    complete = Settings(
        firebell_web_view="SLACK",
        firebell_slack_client_id="1.2",
        firebell_slack_client_secret="client-secret-value",
        firebell_web_session_secret=SESSION_SECRET,
        firebell_web_base_url="https://firebell.example.com",
    )
    assert complete.firebell_web_view == "slack" and complete.web_view_problem() is None
    assert "client-secret-value" not in repr(complete) and SESSION_SECRET not in repr(complete)


def test_an_https_base_url_makes_the_session_cookie_secure(browser: httpx.Client, start_web: WebStarter) -> None:
    with start_web(mode="slack", firebell_web_base_url="https://firebell.example.com") as fb:
        authorize = start_sign_in(browser, fb)
        callback = at_slack(browser, authorize)
        assert callback.startswith("https://firebell.example.com/auth/slack/callback?")
        # The browser would reach Firebell over https; here the same request goes to its loopback address.
        state_binding = next(str(c.value) for c in browser.cookies.jar if c.path == "/auth/slack")
        answer = httpx.get(
            callback.replace("https://firebell.example.com", fb.url), cookies={"firebell_web_signin": state_binding}
        )
        assert answer.status_code == 303
        [session] = [h for h in answer.headers.get_list("set-cookie") if h.startswith(f"{SESSION_COOKIE}=")]
        assert "Secure" in session and "HttpOnly" in session
