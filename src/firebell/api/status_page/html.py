"""The status page's HTML, rendered from Jinja2 templates in this package (autoescaped: public text stays text)."""

from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from firebell.domain.status_page.history import HistoryPage
from firebell.domain.status_page.page import RECENT_DAYS, StatusPage
from firebell.domain.status_page.sources import PublicIncident
from firebell.domain.status_page.vocabulary import MaintenanceStatus

HTML = "text/html; charset=utf-8"

_env = Environment(
    loader=PackageLoader("firebell.api.status_page", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _context(page: StatusPage, **extra: Any) -> dict[str, Any]:
    zone = page.zone

    def when(moment: datetime) -> str:
        local = moment.astimezone(zone)
        return f"{local:%b} {local.day}, {local:%Y %H:%M} {local.tzname()}"

    return {
        "page": page,
        "when": when,
        "component_name": page.component_name,
        "MaintenanceStatus": MaintenanceStatus,
        "recent_days": RECENT_DAYS,
        **extra,
    }


def render_status(page: StatusPage) -> bytes:
    """`GET /status`."""
    return _env.get_template("status.html").render(_context(page)).encode()


def render_incident(page: StatusPage, incident: PublicIncident) -> bytes:
    """`GET /status/incidents/{public_id}`."""
    return _env.get_template("incident.html").render(_context(page, incident=incident)).encode()


def render_history(page: StatusPage, history: HistoryPage) -> bytes:
    """`GET /status/history`."""
    return _env.get_template("history.html").render(_context(page, history=history)).encode()


def render_message(page: StatusPage, heading: str, message: str) -> bytes:
    """A page that only says something: not found, a bad request, temporarily unavailable."""
    return _env.get_template("message.html").render(_context(page, heading=heading, message=message)).encode()
