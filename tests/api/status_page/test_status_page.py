"""GET /status, /status/incidents/{id} and /status/history over real HTTP: what the public sees (and never sees)."""

from datetime import timedelta

import httpx

from firebell.domain.status_page.vocabulary import ComponentStatus, PublicStatus
from firebell.services.status_page.publishing import draft_public_update
from tests.api.status_page.conftest import Site
from tests.services.test_use_cases import BOB

C = ComponentStatus
SCRIPT = "Payments <script>alert('x')</script> & refunds"


def test_the_page_shows_the_banner_components_incidents_and_maintenance(site: Site) -> None:
    number = site.incident("Card payments failing", SCRIPT, {"checkout-api": C.PARTIAL_OUTAGE})
    site.advance(timedelta(minutes=42))
    site.publish(number, PublicStatus.IDENTIFIED, "We found the cause.", {"checkout-api": C.PARTIAL_OUTAGE})
    site.maintenance(
        "Search index rebuild", ["search"], site.clock.now + timedelta(hours=2), site.clock.now + timedelta(hours=3)
    )
    draft_public_update(  # a draft nobody approved never shows
        site.ctx, number=number, by=BOB, status=PublicStatus.MONITORING, body="Unapproved draft text", components={}
    )
    response = site.get("/status")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    html = response.text
    assert '<h2 id="overall">Partial System Outage</h2>' in html
    assert '<main id="content">' in html and '<nav aria-label="Status page">' in html and '<html lang="en">' in html
    assert "<script" not in html  # no script at all, and the update's stays text
    assert "Payments &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; refunds" in html
    assert html.index("We found the cause.") < html.index("Payments &lt;script&gt;")  # newest first
    assert "Card payments failing" in html
    assert "Checkout failing" not in html  # the incident's own title stays internal
    assert "Unapproved draft text" not in html
    assert "Search index rebuild" in html and "Scheduled" in html
    assert (
        '<h3 class="group-name">Payments <span class="badge badge--partial_outage">Partial outage</span></h3>' in html
    )
    # the day's bar: coloured by class, with a tooltip and the same words for screen readers
    text = "2026-12-03: partial outage, 42 min"
    assert (
        f'<li class="bar bar--partial_outage" title="{text}"><span class="visually-hidden">{text}</span></li>' in html
    )
    assert "99.99% uptime over the last 90 days; 1 day with incidents." in html


def test_an_incident_has_its_own_page_and_unknown_ones_are_a_404_page(site: Site) -> None:
    site.incident("Card payments failing", SCRIPT, {"checkout-api": C.MAJOR_OUTAGE})
    public_id = site.cache.serve("probe", lambda page, _: (page.incidents[0].public_id.encode(), "text/plain", 200))
    assert public_id is not None
    found = public_id.render.body.decode()
    response = site.get(f"/status/incidents/{found}")
    assert response.status_code == 200
    assert '<h1 id="incident-title">Card payments failing</h1>' in response.text
    assert "&lt;script&gt;" in response.text and "Components: Checkout API" in response.text
    for path in ("/status/incidents/nosuchincident", "/status/incidents/..%2f..%2fetc", "/status/nothing/here"):
        missing = site.get(path)
        assert missing.status_code == 404, path
        assert missing.headers["content-type"] == "text/html; charset=utf-8"
        assert "X-Content-Type-Options" in missing.headers and "<h1>" in missing.text


def test_history_lists_past_incidents_by_month_and_refuses_a_bad_page(site: Site) -> None:
    number = site.incident("Card payments failing", "Looking.", {"checkout-api": C.MAJOR_OUTAGE})
    site.advance(timedelta(minutes=30))
    site.publish(number, PublicStatus.RESOLVED, "All good again.", {"checkout-api": C.OPERATIONAL})
    history = site.get("/status/history")
    assert history.status_code == 200
    assert '<h2 id="month-2026-12-01">December 2026</h2>' in history.text
    assert "Card payments failing" in history.text and "All good again." in history.text
    assert "Page 1 of 1" in history.text
    bad = site.get("/status/history?page=abc")
    assert bad.status_code == 400
    assert "Query parameter &#39;page&#39; must be a whole number from 1 to 10000, got &#39;abc&#39;." in bad.text
    assert site.get("/status/history?page=0").status_code == 400
    assert site.get("/status/history?page=7").status_code == 404
    front = site.get("/status").text
    assert "Recently resolved" in front and "All good again." in front
    assert '<h2 id="overall">All Systems Operational</h2>' in front


def test_the_stylesheet_is_served_and_no_response_sets_a_cookie(site: Site) -> None:
    css = site.get("/status/static/status.css")
    assert css.status_code == 200 and css.headers["content-type"] == "text/css; charset=utf-8"
    assert ".bar--major_outage" in css.text
    for path in ("/status", "/status.json", "/status/feed.atom", "/status/feed.rss", "/status/history", "/status/x"):
        response = site.get(path)
        assert "set-cookie" not in response.headers, path
        csp = response.headers["content-security-policy"]
        assert "script-src" not in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp, path
        assert "frame-ancestors 'none'" in csp, path
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["referrer-policy"] == "no-referrer", path
        assert response.headers["x-frame-options"] == "DENY", path


def test_head_answers_with_the_headers_and_no_body(site: Site) -> None:
    got = site.get("/status")
    head = httpx.head(f"{site.url}/status", timeout=10)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-length"] == str(len(got.content))
