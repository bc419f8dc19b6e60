"""Fixtures: the Slack emulator (as the Slack tests use it) and the fake notifiers, each over real HTTP."""

from collections.abc import Iterator

import pytest

from tests.notifiers.fakes import FakeNtfy, FakePagerDuty, WebhookReceiver, serving
from tests.notifiers.notices import ROUTING_KEY
from tests.slack.conftest import emu, slack

__all__ = ["emu", "slack"]

HOOK_SECRET = "whsec-test-0123456789"
NTFY_TOKEN = "tk_testtoken0123456789"


@pytest.fixture
def receiver() -> Iterator[tuple[WebhookReceiver, str]]:
    """A customer's webhook receiver that verifies Firebell's signature, and its URL."""
    fake = WebhookReceiver(secret=HOOK_SECRET)
    with serving(fake.app()) as url:
        yield fake, f"{url}/hooks/firebell"


@pytest.fixture
def ntfy_server() -> Iterator[tuple[FakeNtfy, str]]:
    """An ntfy server whose topics need the token, and its base URL."""
    fake = FakeNtfy(token=NTFY_TOKEN)
    with serving(fake.app()) as url:
        yield fake, url


@pytest.fixture
def pagerduty_api() -> Iterator[tuple[FakePagerDuty, str]]:
    """PagerDuty's Events API v2, and its enqueue URL."""
    fake = FakePagerDuty(routing_key=ROUTING_KEY)
    with serving(fake.app()) as url:
        yield fake, f"{url}/v2/enqueue"


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """The notifiers' secrets, in the environment where Firebell reads them."""
    monkeypatch.setenv("HOOK_SECRET", HOOK_SECRET)
    monkeypatch.setenv("NTFY_TOKEN", NTFY_TOKEN)
    monkeypatch.setenv("PD_ROUTING_KEY", ROUTING_KEY)
