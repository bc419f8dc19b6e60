"""Caching and resilience: one snapshot per page revision, conditional requests answered with 304, expiry exactly at
the next change by the clock, the last good page while the database is unreachable, and the status-only app."""

from datetime import timedelta
from email.utils import format_datetime

import httpx
from sqlalchemy import create_engine

from firebell.api.status_page.app import create_status_app
from firebell.api.status_page.cache import StatusPageCache
from firebell.api.status_page.router import STALE_HEADER
from firebell.domain.status_page.vocabulary import ComponentStatus, PublicStatus
from firebell.emulator.server import AsgiServerThread
from firebell.services.context import Context
from firebell.store.database import Database
from tests.api.status_page.conftest import START, Site
from tests.harness import Firebell

C = ComponentStatus
# Nothing listens on port 1: every connection is refused at once, as from a database that went away.
BROKEN = "postgresql+psycopg://firebell@127.0.0.1:1/firebell?connect_timeout=2"


def test_conditional_requests_get_304_until_the_page_changes(site: Site) -> None:
    number = site.incident("Card payments failing", "Looking.", {"checkout-api": C.MAJOR_OUTAGE})
    first = site.get("/status")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"r') and not etag.startswith("W/")
    assert modified == format_datetime(START, usegmt=True)
    assert first.headers["cache-control"].startswith("public, max-age=30, stale-while-revalidate")
    assert site.get("/status", **{"If-None-Match": etag}).status_code == 304
    not_modified = site.get("/status", **{"If-Modified-Since": modified})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["etag"] == etag and "content-security-policy" in not_modified.headers
    assert site.get("/status", **{"If-None-Match": '"other"'}).status_code == 200
    assert site.get("/status.json", **{"If-None-Match": etag}).status_code == 200  # each representation its own
    assert site.cache.loads == 1  # one snapshot served all of them
    site.advance(timedelta(seconds=20))  # within the same minute: the same page
    assert site.get("/status", **{"If-None-Match": etag}).status_code == 304
    site.publish(number, PublicStatus.IDENTIFIED, "Found it.", {"checkout-api": C.MAJOR_OUTAGE})
    changed = site.get("/status", **{"If-None-Match": etag, "If-Modified-Since": modified})
    assert changed.status_code == 200 and "Found it." in changed.text
    assert changed.headers["etag"] != etag
    assert site.cache.loads == 2  # the revision moved: read again, once


def test_the_page_expires_exactly_when_the_clock_changes_it(site: Site) -> None:
    starts = START + timedelta(hours=2)
    site.maintenance("Search index rebuild", ["search"], starts, starts + timedelta(hours=1))
    before = site.get("/status")
    assert "Scheduled" in before.text and "badge--under_maintenance" not in before.text
    site.clock.now = starts - timedelta(microseconds=1)
    assert site.get("/status", **{"If-None-Match": before.headers["etag"]}).status_code == 304
    site.clock.now = starts
    during = site.get("/status", **{"If-None-Match": before.headers["etag"]})
    assert during.status_code == 200
    assert '<span class="badge badge--under_maintenance">Under maintenance</span>' in during.text
    assert '<h2 id="overall">Service Under Maintenance</h2>' in during.text
    assert during.headers["last-modified"] == format_datetime(starts, usegmt=True)
    assert site.cache.loads == 1  # the clock changed the page, not the database


def test_an_unreachable_database_keeps_the_last_good_page(site: Site) -> None:
    site.incident("Card payments failing", "Looking.", {"checkout-api": C.MAJOR_OUTAGE})
    good = site.get("/status")
    assert good.status_code == 200 and STALE_HEADER not in good.headers
    broken = create_engine(BROKEN)
    site.cache.ctx = Context(db=Database(broken), policy=site.ctx.policy, clock=site.clock)
    try:
        for path in ("/status", "/status.json", "/status/feed.atom"):
            stale = site.get(path)
            assert stale.status_code == 200, path
            assert stale.headers[STALE_HEADER].startswith("database unreachable"), path
        stale = site.get("/status")
        assert stale.content == good.content and stale.headers["etag"] == good.headers["etag"]
        site.advance(timedelta(days=1))  # the clock still moves the page along from the last snapshot
        tomorrow = site.get("/status")
        assert tomorrow.status_code == 200 and "2026-12-04: major outage" in tomorrow.text
        # a process that never reached the database answers 503 with a page, not a 500
        fresh = AsgiServerThread(create_status_app(StatusPageCache(site.cache.ctx))).start()
        try:
            down = httpx.get(f"{fresh.url}/status", timeout=10)
            assert down.status_code == 503 and down.headers["retry-after"] == "30"
            assert "Status temporarily unavailable" in down.text and "x-content-type-options" in down.headers
        finally:
            fresh.stop(10)
    finally:
        broken.dispose()
    site.cache.ctx = site.ctx  # back again: fresh, not stale
    assert STALE_HEADER not in site.get("/status").headers


def test_the_status_only_app_serves_nothing_else(site: Site) -> None:
    assert site.get("/status").status_code == 200
    assert site.get("/status.json").status_code == 200
    for method, path in (
        ("POST", "/slack/events"),
        ("GET", "/api/v1/incidents"),
        ("GET", "/docs"),
        ("GET", "/healthz"),
    ):
        response = httpx.request(method, f"{site.url}{path}", timeout=10)
        assert response.status_code in (404, 405), path
        assert response.status_code == 404 or method == "POST", path


def test_the_main_app_serves_the_status_page_too(firebell: Firebell) -> None:
    response = httpx.get(f"{firebell.url}/status", timeout=10)
    assert response.status_code == 200
    assert '<h2 id="overall">All Systems Operational</h2>' in response.text
    assert httpx.get(f"{firebell.url}/status.json", timeout=10).json()["status"]["indicator"] == "none"
    assert "/status" not in httpx.get(f"{firebell.url}/openapi.json", timeout=10).json()["paths"]
