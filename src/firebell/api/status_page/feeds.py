"""The status page as feeds: Atom 1.0 (`/status/feed.atom`) and RSS 2.0 (`/status/feed.rss`), one entry per
published update and per maintenance window, newest first. Built with ElementTree, so text is always escaped."""

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.etree import ElementTree as ET

from firebell.domain.status_page.page import StatusPage
from firebell.domain.status_page.sources import PublishedUpdate

ATOM = "application/atom+xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
ENTRIES = 50
_ATOM_NS = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class Entry:
    """One feed entry."""

    key: str
    title: str
    text: str
    link: str
    published: datetime


def _update_text(page: StatusPage, update: PublishedUpdate) -> str:
    affected = ", ".join(
        f"{page.component_name(slug)} ({status.label.lower()})" for slug, status in update.components.items()
    )
    return f"{update.body}\n\nAffected: {affected}" if affected else update.body


def entries(page: StatusPage, base: str) -> list[Entry]:
    """The latest entries: every published update of every public incident, and every maintenance window."""
    found = []
    for incident in page.incidents:
        for update in incident.updates:
            found.append(
                Entry(
                    key=f"incident-{incident.public_id}-{update.number}",
                    title=f"{incident.title}: {update.status.label}",
                    text=_update_text(page, update),
                    link=f"{base}/status/incidents/{incident.public_id}",
                    published=update.published_at,
                )
            )
    for view in page.maintenances:
        m = view.maintenance
        found.append(
            Entry(
                key=f"maintenance-{m.public_id}",
                title=f"Maintenance: {m.title}",
                text=f"{m.body}\n\nScheduled from {m.starts_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC to "
                f"{m.effective_end.astimezone(UTC):%Y-%m-%d %H:%M} UTC.",
                link=f"{base}/status#m-{m.public_id}",
                published=m.created_at,
            )
        )
    found.sort(key=lambda e: (e.published, e.key), reverse=True)
    return found[:ENTRIES]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def render_atom(page: StatusPage, *, base: str, updated_at: datetime) -> bytes:
    """An Atom 1.0 feed (RFC 4287)."""
    ET.register_namespace("", _ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{_ATOM_NS}}}{tag}", attrs)
        element.text = text
        return element

    feed = ET.Element(f"{{{_ATOM_NS}}}feed")
    sub(feed, "id", f"{base}/status")
    sub(feed, "title", page.config.title)
    sub(feed, "updated", _iso(updated_at))
    sub(feed, "link", rel="alternate", type="text/html", href=f"{base}/status")
    sub(feed, "link", rel="self", type="application/atom+xml", href=f"{base}/status/feed.atom")
    author = sub(feed, "author")
    sub(author, "name", page.config.title)
    for entry in entries(page, base):
        item = sub(feed, "entry")
        sub(item, "id", f"{base}/status#{entry.key}")
        sub(item, "title", entry.title, type="text")
        sub(item, "updated", _iso(entry.published))
        sub(item, "published", _iso(entry.published))
        sub(item, "link", rel="alternate", type="text/html", href=entry.link)
        sub(item, "content", entry.text, type="text")
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))


def render_rss(page: StatusPage, *, base: str, updated_at: datetime) -> bytes:
    """An RSS 2.0 feed."""
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    for tag, text in (
        ("title", page.config.title),
        ("link", f"{base}/status"),
        ("description", f"{page.config.title}: incidents and scheduled maintenance"),
        ("lastBuildDate", format_datetime(updated_at.astimezone(UTC), usegmt=True)),
    ):
        ET.SubElement(channel, tag).text = text
    for entry in entries(page, base):
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = entry.title
        ET.SubElement(item, "link").text = entry.link
        ET.SubElement(item, "description").text = entry.text
        ET.SubElement(item, "guid", {"isPermaLink": "false"}).text = f"{base}/status#{entry.key}"
        ET.SubElement(item, "pubDate").text = format_datetime(entry.published.astimezone(UTC), usegmt=True)
    return bytes(ET.tostring(rss, encoding="utf-8", xml_declaration=True))
