"""The pure rules of status-page maintenance, and the Statuspage bridge's policy keys."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from firebell.domain.errors import UsageError
from firebell.domain.status_page.config import StatusPageConfig
from firebell.domain.status_page.maintenance import check_window, clean_text, maintenance_status
from firebell.domain.status_page.vocabulary import MaintenanceStatus

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_status_follows_the_clock_and_a_cancel() -> None:
    start, end = NOW + HOUR, NOW + 3 * HOUR
    assert maintenance_status(start, end, None, NOW) is MaintenanceStatus.SCHEDULED
    assert maintenance_status(start, end, None, start) is MaintenanceStatus.IN_PROGRESS
    assert maintenance_status(start, end, None, end) is MaintenanceStatus.COMPLETED
    assert maintenance_status(start, end, NOW, NOW) is MaintenanceStatus.COMPLETED  # called off
    assert maintenance_status(start, end, start + HOUR, start + 2 * HOUR) is MaintenanceStatus.COMPLETED  # ended early


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (NOW + HOUR, NOW, "before it starts"),
        (NOW - 3 * HOUR, NOW - HOUR, "lies in the past"),
        (NOW, NOW + timedelta(days=8), "at most 7 days"),
        (NOW + timedelta(days=400), NOW + timedelta(days=400, hours=1), "more than a year ahead"),
    ],
)
def test_bad_windows_say_what_is_wrong(start: datetime, end: datetime, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        check_window(start, end, NOW)
    check_window(NOW - HOUR, NOW + HOUR, NOW)  # already begun but not over: fine


def test_text_is_required_and_bounded() -> None:
    assert clean_text("  Database\n upgrade ", " Pause. ") == ("Database upgrade", "Pause.")
    for title, body, message in [(" ", "x", "needs a title"), ("t", "", "needs text"), ("t" * 201, "x", "at most 200")]:
        with pytest.raises(UsageError, match=message):
            clean_text(title, body)


def test_the_bridge_names_an_environment_variable_and_only_our_components() -> None:
    components = [{"name": "Checkout API"}]
    config = StatusPageConfig.model_validate(
        {
            "components": components,
            "statuspage_io": {"page_id": "pg1", "api_key_env": "SP_KEY", "components": {"checkout-api": "c1"}},
        }
    )
    assert config.statuspage_io is not None and config.statuspage_io.api_url == "https://api.statuspage.io"
    bad = [
        ({"page_id": "pg1", "api_key_env": "sk-live-not a name"}, "environment variable"),
        ({"page_id": "pg1", "api_key_env": "K", "components": {"search": "c2"}}, "'search' is not one of our"),
        ({"page_id": "pg1", "api_key_env": "K", "api_url": "ftp://x"}, "http"),
        ({"api_key_env": "K"}, "page_id"),
    ]
    for bridge, message in bad:
        with pytest.raises(ValidationError, match=message):
            StatusPageConfig.model_validate({"components": components, "statuspage_io": bridge})
