"""The status page in a real headless Chromium (Debian's `chromium` and `chromium-driver`, driven by Selenium): an
active SEV1, a resolved incident in the history and maintenance in progress and ahead. Checks the text a visitor sees
and the overall status, runs axe-core's WCAG 2 A/AA checks on each page, and keeps screenshots as test artifacts
(FIREBELL_TEST_ARTIFACTS, default ./test-artifacts).

Without a browser the tests skip, saying why; with FIREBELL_REQUIRE_BROWSER=1 (as `.ci/run` sets) they fail instead,
so CI cannot pass without running them.
"""

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from firebell.domain.status_page.vocabulary import ComponentStatus, PublicStatus
from tests.api.status_page.conftest import Site

C = ComponentStatus
ARTIFACTS = Path(os.environ.get("FIREBELL_TEST_ARTIFACTS", Path(__file__).parents[3] / "test-artifacts"))
# axe-core as axe-selenium-python ships it (3.x): WCAG 2.0 A and AA (its rules include colour contrast).
AXE_RUN = (
    "const done = arguments[arguments.length - 1];"
    'axe.run({runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]}})'
    ".then(r => done(r), e => done({error: String(e)}));"
)

pytestmark = pytest.mark.slow  # a real browser process


def _browser_or_skip() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver = shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    reason = (
        "NO BROWSER: the status page's browser and accessibility tests did not run. Install Debian's packages "
        "(apt-get update && apt-get install -y chromium chromium-driver) to run them."
    )
    if os.environ.get("FIREBELL_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def browser() -> Iterator[Any]:
    """A headless Chromium under Selenium, on the system's browser and driver (never downloaded)."""
    chromium, driver_path = _browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,1800"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _story(site: Site) -> str:
    """A resolved incident two days ago, an active SEV1 now, maintenance in progress and one tomorrow; returns the
    SEV1's public id."""
    past = site.incident("Slow search results", "Search is slower than usual.", {"search": C.DEGRADED_PERFORMANCE})
    site.advance(timedelta(minutes=35))
    site.publish(past, PublicStatus.RESOLVED, "Search is back to normal.", {"search": C.OPERATIONAL})
    site.advance(timedelta(days=2))
    now = site.incident(
        "Card payments failing", "We are investigating failed card payments.", {"checkout-api": C.MAJOR_OUTAGE}
    )
    site.advance(timedelta(minutes=12))
    site.publish(
        now, PublicStatus.IDENTIFIED, "A faulty release is being rolled back.", {"checkout-api": C.MAJOR_OUTAGE}
    )
    site.maintenance(
        "Refunds database upgrade",
        ["refunds"],
        site.clock.now - timedelta(minutes=5),
        site.clock.now + timedelta(hours=1),
    )
    site.maintenance(
        "Search index rebuild",
        ["search"],
        site.clock.now + timedelta(days=1),
        site.clock.now + timedelta(days=1, hours=2),
    )
    response = site.get("/status.json")
    return str(response.json()["incidents"][0]["id"])


def _visit(browser: Any, url: str, name: str) -> str:
    """Open `url`, keep a screenshot, run axe-core; returns the visible text. Fails listing any WCAG violation."""
    from axe_selenium_python import Axe
    from selenium.webdriver.common.by import By

    browser.get(url)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1200, max(800, min(int(height), 6000)))
    assert browser.save_screenshot(str(ARTIFACTS / f"status-{name}.png"))
    axe = Axe(browser)
    axe.inject()
    results = browser.execute_async_script(AXE_RUN)  # answers even when axe rejects, naming why
    assert "error" not in results, results
    assert results["violations"] == [], axe.report(results["violations"])
    assert len(results["passes"]) > 10  # axe really ran its checks
    return str(browser.find_element(By.TAG_NAME, "body").text)


def test_the_status_page_in_a_real_browser(site: Site, browser: Any) -> None:
    public_id = _story(site)
    text = _visit(browser, f"{site.url}/status", "page")
    assert browser.title.startswith("Acme status")
    assert "Major System Outage" in text  # the banner: a major outage anywhere
    assert "Card payments failing" in text and "A faulty release is being rolled back." in text
    assert text.index("A faulty release") < text.index("We are investigating")  # newest first
    assert "Refunds database upgrade" in text and "Search index rebuild" in text
    assert "Checkout API" in text and "Major outage" in text and "Under maintenance" in text
    assert "Slow search results" in text  # resolved two days ago: recently resolved
    assert not browser.get_cookies()

    text = _visit(browser, f"{site.url}/status/incidents/{public_id}", "incident")
    assert "Card payments failing" in text and "Identified" in text and "Investigating" in text

    text = _visit(browser, f"{site.url}/status/history", "history")
    assert "Slow search results" in text and "Card payments failing" not in text.split("Slow search results")[1]
