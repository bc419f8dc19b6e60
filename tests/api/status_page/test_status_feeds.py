"""/status.json in the shape of Statuspage's summary.json, and the Atom and RSS feeds: field names exactly as
Statuspage documents them, valid feeds, and public text that stays text."""

import json
from datetime import timedelta
from xml.etree import ElementTree as ET

from firebell.domain.status_page.vocabulary import ComponentStatus, PublicStatus
from tests.api.status_page.conftest import Site

C = ComponentStatus
SCRIPT = "Payments <script>alert('x')</script> & refunds"
ATOM = "{http://www.w3.org/2005/Atom}"

PAGE_KEYS = {"id", "name", "url", "time_zone", "updated_at"}
COMPONENT_KEYS = {
    "id", "name", "status", "created_at", "updated_at", "position", "description", "showcase", "start_date",
    "group_id", "page_id", "group", "only_show_if_degraded",
}  # fmt: skip
INCIDENT_KEYS = {
    "id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at", "impact", "shortlink",
    "started_at", "page_id", "incident_updates", "components",
}  # fmt: skip
UPDATE_KEYS = {
    "id", "status", "body", "incident_id", "created_at", "updated_at", "display_at", "affected_components",
    "deliver_notifications", "custom_tweet", "tweet_id",
}  # fmt: skip


def test_status_json_has_statuspages_summary_shape(site: Site) -> None:
    number = site.incident("Card payments failing", SCRIPT, {"checkout-api": C.MAJOR_OUTAGE})
    site.advance(timedelta(minutes=5))
    site.publish(number, PublicStatus.MONITORING, "A fix is out.", {"checkout-api": C.DEGRADED_PERFORMANCE})
    site.maintenance(
        "Search index rebuild", ["search"], site.clock.now + timedelta(hours=1), site.clock.now + timedelta(hours=2)
    )
    response = site.get("/status.json")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.headers["access-control-allow-origin"] == "*"
    assert "<script>" not in response.text and "\\u003cscript\\u003e" in response.text
    doc = response.json()
    assert set(doc) == {"page", "status", "components", "incidents", "scheduled_maintenances"}
    assert set(doc["page"]) == PAGE_KEYS
    assert doc["page"]["name"] == "Acme status" and doc["page"]["time_zone"] == "Europe/Berlin"
    assert doc["page"]["url"] == f"{site.url}/status"
    assert doc["status"] == {"indicator": "minor", "description": "Minor Service Outage"}
    by_id = {c["id"]: c for c in doc["components"]}
    assert set(by_id) == {"group-payments", "checkout-api", "refunds", "search"}
    for component in doc["components"]:
        assert set(component) - {"components"} == COMPONENT_KEYS
    assert by_id["group-payments"]["group"] is True and by_id["group-payments"]["components"] == [
        "checkout-api",
        "refunds",
    ]
    assert by_id["checkout-api"]["status"] == "degraded_performance"
    assert by_id["checkout-api"]["group_id"] == "group-payments" and by_id["search"]["group_id"] is None
    (incident,) = doc["incidents"]
    assert set(incident) == INCIDENT_KEYS
    assert incident["name"] == "Card payments failing" and incident["status"] == "monitoring"
    assert incident["impact"] == "critical" and incident["resolved_at"] is None
    assert (
        incident["monitoring_at"] == "2026-12-03T13:05:00.000Z" and incident["created_at"] == "2026-12-03T13:00:00.000Z"
    )
    assert incident["shortlink"] == f"{site.url}/status/incidents/{incident['id']}"
    newest, first = incident["incident_updates"]
    for update in (newest, first):
        assert set(update) == UPDATE_KEYS
    assert first["body"] == SCRIPT  # JSON keeps the text as text
    assert newest["affected_components"] == [
        {
            "code": "checkout-api",
            "name": "Checkout API",
            "old_status": "major_outage",
            "new_status": "degraded_performance",
        }
    ]
    assert [c["id"] for c in incident["components"]] == ["checkout-api"]
    (maintenance,) = doc["scheduled_maintenances"]
    assert set(maintenance) == INCIDENT_KEYS | {"scheduled_for", "scheduled_until"}
    assert maintenance["status"] == "scheduled" and maintenance["impact"] == "maintenance"
    assert maintenance["scheduled_for"] == "2026-12-03T14:05:00.000Z"
    assert maintenance["scheduled_until"] == "2026-12-03T15:05:00.000Z"
    site.advance(timedelta(hours=1))  # the window opens by the clock alone
    later = site.get("/status.json").json()
    assert later["scheduled_maintenances"][0]["status"] == "in_progress"
    assert {c["id"]: c["status"] for c in later["components"]}["search"] == "under_maintenance"
    json.dumps(later)  # plain JSON all through


def test_the_atom_feed_is_valid_and_keeps_text_as_text(site: Site) -> None:
    number = site.incident("Card payments failing", SCRIPT, {"checkout-api": C.MAJOR_OUTAGE})
    site.advance(timedelta(minutes=5))
    site.publish(number, PublicStatus.RESOLVED, "Fixed.", {"checkout-api": C.OPERATIONAL})
    response = site.get("/status/feed.atom")
    assert response.status_code == 200 and response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert "<script>" not in response.text
    feed = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{tag}") is not None, tag
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == f"{site.url}/status/feed.atom"  # type: ignore[union-attr]
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "Card payments failing: Resolved",
        "Card payments failing: Investigating",
    ]
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 2
    for entry in entries:
        for tag in ("id", "title", "updated", "link", "content"):
            assert entry.find(f"{ATOM}{tag}") is not None, tag
    assert entries[1].findtext(f"{ATOM}content", "").startswith(SCRIPT)
    assert entries[1].find(f"{ATOM}content").get("type") == "text"  # type: ignore[union-attr]


def test_the_rss_feed_is_rss_2(site: Site) -> None:
    site.incident("Card payments failing", SCRIPT, {"checkout-api": C.MAJOR_OUTAGE})
    response = site.get("/status/feed.rss")
    assert response.status_code == 200 and response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    rss = ET.fromstring(response.content)  # noqa: S314 (our own feed)
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    channel = rss.find("channel")
    assert channel is not None and channel.findtext("title") == "Acme status"
    (item,) = channel.findall("item")
    assert item.findtext("title") == "Card payments failing: Investigating"
    assert item.findtext("description", "").startswith(SCRIPT)
    assert item.findtext("pubDate") == "Thu, 03 Dec 2026 13:00:00 GMT"
    assert item.find("guid").get("isPermaLink") == "false"  # type: ignore[union-attr]
