"""Each on-call schedule's calendar feed at its secret URL, `GET /ical/<secret>.ics` (no bearer token: the secret
is the key, made and rotated by `firebell schedules rotate-ical <name>`). An unknown secret is a bare 404."""

import hashlib
import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from firebell.api.schedules import PERSON
from firebell.services.context import Context
from firebell.services.oncall.feeds import Feed, build_feed, feed_schedule

MEDIA_TYPE = "text/calendar; charset=utf-8"
# Calendar apps poll every few hours at most; five minutes keeps a shared cache from serving a day-old shift.
CACHE_CONTROL = "private, max-age=300"


def _not_found() -> JSONResponse:
    return JSONResponse({"detail": "Not Found"}, status_code=404)


def _etag(feed: Feed) -> str:
    return '"' + hashlib.sha256(feed.body.encode()).hexdigest()[:32] + '"'


def _matches(request: Request, etag: str) -> bool:
    wanted = request.headers.get("if-none-match")
    if wanted is None:
        return False
    return wanted.strip() == "*" or etag in {tag.strip().removeprefix("W/") for tag in wanted.split(",")}


def ical_router(ctx: Context) -> APIRouter:
    """`GET /ical/<secret>.ics[?user=U123]`: the schedule's shifts from 30 days back to 90 days ahead."""
    router = APIRouter()

    @router.get("/ical/{secret}.ics", include_in_schema=False)
    async def feed(
        request: Request, secret: str, user: Annotated[str | None, Query(max_length=400)] = None
    ) -> Response:
        name = await run_in_threadpool(feed_schedule, ctx, secret)
        if name is None:
            return _not_found()
        if user is not None and not re.fullmatch(PERSON, user):
            shown = user if len(user) <= 60 else f"{user[:60]}…"
            return JSONResponse(
                {"detail": f"Invalid query parameter 'user': expected a Slack user id like U01ALICE, got {shown!r}."},
                status_code=400,
            )
        built = await run_in_threadpool(lambda: build_feed(ctx, name, user=user))
        etag = _etag(built)
        headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
        if _matches(request, etag):
            return Response(status_code=304, headers=headers)
        headers["Last-Modified"] = built.revised.strftime("%a, %d %b %Y %H:%M:%S GMT")
        return Response(built.body, media_type=MEDIA_TYPE, headers=headers)

    return router
