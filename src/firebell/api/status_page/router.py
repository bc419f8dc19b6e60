"""The public status page's routes: `/status` (HTML), `/status/incidents/{public_id}`, `/status/history`,
`/status.json` (Statuspage's summary.json shape), `/status/feed.atom`, `/status/feed.rss` and the stylesheet.

Every response carries the page's security headers (a Content-Security-Policy with no script at all, nosniff, no
referrer, no framing) and no cookie; pages answer conditional requests (ETag, Last-Modified) with 304 and say how
long shared caches may keep them. With the database unreachable, the last good render is served, marked stale.
"""

import re
from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from firebell.api.status_page.cache import Renderer, Served, StatusPageCache
from firebell.api.status_page.feeds import ATOM, RSS, render_atom, render_rss
from firebell.api.status_page.html import HTML, render_history, render_incident, render_message, render_status
from firebell.api.status_page.summary_json import JSON, render_summary
from firebell.domain.status_page.history import history_page
from firebell.domain.status_page.page import StatusPage, build_page
from firebell.domain.status_page.vocabulary import MaintenanceStatus

# Short enough that a change shows within half a minute behind a shared cache; long enough that a traffic spike
# during an outage is mostly answered by caches. A cache may serve the old copy while it asks again.
CACHE_CONTROL = "public, max-age=30, stale-while-revalidate=60, stale-if-error=86400"
STALE_HEADER = "X-Status-Page-Stale"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
_NOT_FOUND_TEXT = "There is no incident at this address. It may have been mistyped."
_PUBLIC_ID = re.compile(r"^[a-z0-9]{1,16}$")
_MAX_HISTORY_PAGE = 10_000
_CSS = resources.files("firebell.api.status_page").joinpath("static/status.css").read_bytes()


def _http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


def _not_modified(request: Request, served: Served) -> bool:
    """RFC 9110: If-None-Match (weak comparison) wins over If-Modified-Since."""
    wanted = request.headers.get("if-none-match")
    if wanted is not None:
        tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
        return "*" in tags or served.render.etag in tags
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        moment = parsedate_to_datetime(since)
    except (TypeError, ValueError, IndexError):
        return False
    if moment.tzinfo is None:
        return False
    return served.render.last_modified <= moment


def _response(request: Request, served: Served, *, cross_origin: bool = False) -> Response:
    render = served.render
    headers = {
        **SECURITY_HEADERS,
        "ETag": render.etag,
        "Last-Modified": _http_date(render.last_modified),
        "Cache-Control": CACHE_CONTROL if render.status_code == 200 else "public, max-age=30",
        "Vary": "Accept-Encoding",
    }
    if cross_origin:
        headers["Access-Control-Allow-Origin"] = "*"  # widgets on other sites read the JSON and feeds
    if served.stale:
        headers[STALE_HEADER] = f"database unreachable; the last good page (revision {served.revision})"
    if render.status_code == 200 and _not_modified(request, served):
        return Response(status_code=304, headers=headers)
    body = b"" if request.method == "HEAD" else render.body
    response = Response(body, status_code=render.status_code, media_type=render.media_type, headers=headers)
    if request.method == "HEAD":
        response.headers["content-length"] = str(len(render.body))
    return response


def status_page_router(cache: StatusPageCache) -> APIRouter:
    """The status page's routes, serving from `cache` (one per process, shared by every app that serves them)."""
    router = APIRouter(include_in_schema=False)
    ctx = cache.ctx

    def message(status_code: int, heading: str, text: str, extra: dict[str, str] | None = None) -> Response:
        empty = build_page(ctx.policy.status_page, [], [], ctx.clock())
        return Response(
            render_message(empty, heading, text),
            status_code=status_code,
            media_type=HTML,
            headers={**SECURITY_HEADERS, "Cache-Control": "no-store", **(extra or {})},
        )

    def not_found() -> Response:
        return message(404, "Page not found", "There is nothing at this address on the status page.")

    async def serve(request: Request, key: str, renderer: Renderer, *, cross_origin: bool = False) -> Response:
        served = await run_in_threadpool(cache.serve, key, renderer)
        if served is None:
            return message(
                503,
                "Status temporarily unavailable",
                "The status page cannot be shown right now. Please try again in a minute.",
                {"Retry-After": "30"},
            )
        return _response(request, served, cross_origin=cross_origin)

    def base_of(request: Request) -> str:
        return ctx.policy.status_page.public_url or str(request.base_url).rstrip("/")

    @router.api_route("/status", methods=["GET", "HEAD"])
    async def status(request: Request) -> Response:
        return await serve(request, "html:status", lambda page, _: (render_status(page), HTML, 200))

    @router.api_route("/status/incidents/{public_id}", methods=["GET", "HEAD"])
    async def incident(request: Request, public_id: str) -> Response:
        if not _PUBLIC_ID.match(public_id):
            return not_found()

        def renderer(page: StatusPage, _: datetime) -> tuple[bytes, str, int]:
            found = page.incident(public_id)
            if found is None:
                return render_message(page, "Incident not found", _NOT_FOUND_TEXT), HTML, 404
            return render_incident(page, found), HTML, 200

        return await serve(request, f"html:incident:{public_id}", renderer)

    @router.api_route("/status/history", methods=["GET", "HEAD"])
    async def history(request: Request) -> Response:
        raw = request.query_params.get("page", "1")
        if not raw.isdigit() or not 1 <= int(raw) <= _MAX_HISTORY_PAGE:
            shown = raw if len(raw) <= 20 else f"{raw[:20]}…"
            return message(
                400,
                "Bad request",
                f"Query parameter 'page' must be a whole number from 1 to {_MAX_HISTORY_PAGE}, got {shown!r}.",
            )
        number = int(raw)

        def renderer(page: StatusPage, _: datetime) -> tuple[bytes, str, int]:
            found = history_page(
                page.incidents,
                tuple(v.maintenance for v in page.maintenances_in(MaintenanceStatus.COMPLETED)),
                zone=page.zone,
                today=page.today,
                page=number,
            )
            return render_history(page, found), HTML, 200 if number <= found.pages else 404

        return await serve(request, f"html:history:{number}", renderer)

    def machine_readable(path: str, kind: str, render: Callable[..., bytes], media_type: str) -> None:
        """summary.json and the feeds: rendered with the page's links (absolute, from `base`), readable from
        any origin."""

        async def route(request: Request) -> Response:
            base = base_of(request)
            return await serve(
                request,
                f"{kind}:{base}",
                lambda page, changed: (render(page, base=base, updated_at=changed), media_type, 200),
                cross_origin=True,
            )

        router.add_api_route(path, route, methods=["GET", "HEAD"], name=kind)

    machine_readable("/status.json", "json", render_summary, JSON)
    machine_readable("/status/feed.atom", "atom", render_atom, ATOM)
    machine_readable("/status/feed.rss", "rss", render_rss, RSS)

    @router.api_route("/status/static/status.css", methods=["GET", "HEAD"])
    async def stylesheet(request: Request) -> Response:
        body = b"" if request.method == "HEAD" else _CSS
        return Response(
            body,
            media_type="text/css; charset=utf-8",
            headers={**SECURITY_HEADERS, "Cache-Control": "public, max-age=3600"},
        )

    @router.api_route("/status/{rest:path}", methods=["GET", "HEAD"])
    async def unknown(rest: str) -> Response:
        return not_found()

    return router
