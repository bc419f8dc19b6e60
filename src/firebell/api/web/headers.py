"""The security headers every page of the internal web view carries, set by its routes' own route class."""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

# No script at all, styles from our own static file only, never framed, and no referrer leaves the site (an
# incident's URL names its number and the filters someone used).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",  # the pages are private: no shared cache may keep them
}


class SecuredRoute(APIRoute):
    """A route whose every response gets SECURITY_HEADERS."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, wrapped to add the headers."""
        handle = super().get_route_handler()

        async def secured(request: Request) -> Response:
            response = await handle(request)
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return secured
