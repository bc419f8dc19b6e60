"""An app that serves only the public status page (`firebell serve --status-port`): no `/slack/events`, no
`/api`, no docs, nothing internal; it shares the process's cache (and so its database reads) with the main app."""

from fastapi import FastAPI

from firebell.api.status_page.cache import StatusPageCache
from firebell.api.status_page.router import status_page_router


def create_status_app(cache: StatusPageCache) -> FastAPI:
    """The status routes alone (no lifespan of its own: the main app starts and stops the runtime)."""
    app = FastAPI(title="Status", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(status_page_router(cache))
    return app
