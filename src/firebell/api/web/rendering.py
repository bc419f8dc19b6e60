"""Rendering the web view's pages: Jinja2 templates from the package (autoescaped), times, and Markdown."""

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from firebell.domain.durations import format_duration

# Raw HTML in the draft stays text (html=False), and markdown-it's own link check refuses javascript:,
# vbscript:, file: and data: URLs, so nothing in a postmortem can run in a reader's browser.
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)


def markdown_html(text: str) -> Markup:
    """Markdown as safe HTML: raw HTML in it is escaped, unsafe links are dropped."""
    return Markup(_MARKDOWN.render(text))  # noqa: S704 - markdown-it escapes everything it does not produce itself


def moment(value: datetime | None) -> str:
    """`2026-11-24 09:00 UTC` (empty for None)."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def moment_iso(value: datetime | None) -> str:
    """ISO 8601 in UTC, for <time datetime>."""
    return value.astimezone(UTC).isoformat() if value is not None else ""


def after(start: datetime | None, end: datetime | None) -> str:
    """How long from `start` to `end`, e.g. `5m 13s` (empty unless both are known)."""
    if start is None or end is None:
        return ""
    return format_duration(max(end - start, timedelta(0)))


ENVIRONMENT = Environment(
    loader=PackageLoader("firebell.api.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
ENVIRONMENT.filters.update(moment=moment, moment_iso=moment_iso, markdown=markdown_html)
ENVIRONMENT.globals.update(after=after)


def render(template: str, *, status: int = 200, **values: Any) -> HTMLResponse:
    """A page from its template."""
    html = ENVIRONMENT.get_template(template).render(**values)
    return HTMLResponse(html, status_code=status)
