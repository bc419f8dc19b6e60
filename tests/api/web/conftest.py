"""The internal web view over real HTTP: Firebell and the Slack emulator, with a browser-like cookie jar."""

import functools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import Engine

from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from tests.clock import Clock
from tests.harness import Firebell, free_port, running_firebell
from tests.slack.conftest import emu, policy, slack

__all__ = ["emu", "policy", "slack"]

SESSION_SECRET = "web-session-secret-for-tests-0123456789abcdef"
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@contextmanager
def web_firebell(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, policy: Policy, *, mode: str, **settings: Any
) -> Iterator[Firebell]:
    """Firebell with the web view in `mode`, on a hand-moved clock, Sign in with Slack pointed at the emulator."""
    port = free_port()
    environment: dict[str, Any] = {"firebell_web_view": mode}
    if mode == "slack":
        environment |= {
            "firebell_slack_client_id": emu.oidc.client_id,
            "firebell_slack_client_secret": emu.oidc.client_secret,
            "firebell_web_session_secret": SESSION_SECRET,
            "firebell_web_base_url": f"http://127.0.0.1:{port}",
        }
    environment |= settings
    with running_firebell(
        emu, slack, database_url, policy, clock=Clock(START), environment=environment, port=port
    ) as fb:
        yield fb


WebStarter = Callable[..., AbstractContextManager[Firebell]]


@pytest.fixture
def start_web(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, policy: Policy
) -> WebStarter:
    """Start a Firebell with other web view settings: `start_web(mode="slack", firebell_slack_team_id=...)`."""
    return functools.partial(web_firebell, emu, slack, database_url, policy)


@pytest.fixture
def signin_firebell(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, policy: Policy
) -> Iterator[Firebell]:
    """Firebell whose web view needs Sign in with Slack."""
    with web_firebell(emu, slack, database_url, policy, mode="slack") as running:
        yield running


@pytest.fixture
def open_firebell(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, policy: Policy
) -> Iterator[Firebell]:
    """Firebell whose web view is open (no sign-in)."""
    with web_firebell(emu, slack, database_url, policy, mode="open") as running:
        yield running


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    """A browser: keeps cookies (by path), follows no redirect by itself."""
    with httpx.Client(timeout=10, follow_redirects=False) as client:
        yield client


def query_of(url: str) -> dict[str, str]:
    """A URL's query parameters (one value each)."""
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def start_sign_in(browser: httpx.Client, fb: Firebell, next_path: str = "/incidents") -> str:
    """Ask Firebell to sign in; the Slack authorize URL it sends the browser to."""
    response = browser.get(f"{fb.url}/auth/slack/login", params={"next": next_path})
    assert response.status_code == 303, response.text
    return response.headers["location"]


def at_slack(browser: httpx.Client, authorize_url: str, user: str = "alice", **override: str) -> str:
    """Sign in at the emulator's authorize page as `user`; the callback URL Slack sends the browser back to."""
    response = browser.get(authorize_url, params={**query_of(authorize_url), "user": user, **override})
    assert response.status_code == 302, response.text
    return response.headers["location"]


def sign_in(browser: httpx.Client, fb: Firebell, user: str = "alice", **override: str) -> httpx.Response:
    """The whole sign-in; Firebell's answer to the callback."""
    return browser.get(at_slack(browser, start_sign_in(browser, fb), user, **override))
