"""Each process's cached status page: one snapshot of what was published, the page worked out from it, and its
renders (HTML, JSON, feeds), reused until the page revision changes (one primary-key read per request) or the
clock reaches the page's `valid_until`. When the database is unreachable, the last good snapshot keeps being
served (read-only, and still following the clock), marked stale; never an error page while one exists."""

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError

from firebell.domain.status_page.page import StatusPage
from firebell.services.context import Context
from firebell.services.status_page.revision import current_revision
from firebell.services.status_page.snapshot import Snapshot, read_snapshot

log = logging.getLogger(__name__)

_UNREACHABLE = (SQLAlchemyError, OSError)
MAX_RENDERS = 256


@dataclass(frozen=True)
class Render:
    """One representation of the page, ready to send."""

    body: bytes
    media_type: str
    etag: str  # strong: from the revision, valid_until, the representation and its bytes
    last_modified: datetime
    status_code: int = 200


@dataclass(frozen=True)
class Served:
    """A render, and whether it came from the last good snapshot because the database could not be reached."""

    render: Render
    stale: bool
    revision: int


# (page, when it last changed) -> (body, media type, status code)
Renderer = Callable[[StatusPage, datetime], tuple[bytes, str, int]]


class StatusPageCache:
    """The page's snapshot and renders in this process (thread-safe; renders happen outside the lock)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._lock = threading.Lock()  # guards the fields below, held only to read or swap them
        self._refreshing = threading.Lock()  # held by the one thread bringing the page up to date
        self._snapshot: Snapshot | None = None
        self._page: StatusPage | None = None
        self._renders: dict[str, Render] = {}
        self._unreachable = False
        self.loads = 0  # snapshots read from the database (tests and the benchmark watch it)

    def serve(self, key: str, renderer: Renderer) -> Served | None:
        """The representation `key` of the page now, rendered once per snapshot and clock period; None when the
        database is unreachable and no snapshot was ever read.

        Bringing the page up to date (a new revision, or the clock past `valid_until`) is done by one thread at a
        time, outside the lock readers take: while it works, the others keep serving the page they have (at most
        that long out of date), so a re-render under readers never queues them all behind it."""
        now = self.ctx.clock()
        revision: int | None = None
        try:
            with self.ctx.db.read() as session:
                revision = current_revision(session)
        except _UNREACHABLE as exc:
            self._note_unreachable(exc)
        stale = revision is None
        if self._outdated(revision, now):
            if self._page is not None:  # something to serve meanwhile: refresh only if nobody else is
                if self._refreshing.acquire(blocking=False):
                    try:
                        stale = self._refresh(revision, now, key, renderer) or stale
                    finally:
                        self._refreshing.release()
            else:
                with self._refreshing:  # the first page: everyone waits for it, read once
                    if self._outdated(revision, now):
                        stale = self._refresh(revision, now, key, renderer) or stale
        if not stale and self._unreachable:
            self._unreachable = False
            log.warning("status page: the database is reachable again")
        with self._lock:
            current, page, renders = self._snapshot, self._page, self._renders
        if current is None or page is None:
            return None
        cached = renders.get(key) or self._render(current, page, renders, key, renderer)
        return Served(render=cached, stale=stale, revision=current.revision)

    def _outdated(self, revision: int | None, now: datetime) -> bool:
        with self._lock:
            snapshot, page = self._snapshot, self._page
        moved = revision is not None and (snapshot is None or snapshot.revision != revision)
        return moved or page is None or now >= page.valid_until

    def _refresh(self, revision: int | None, now: datetime, key: str, renderer: Renderer) -> bool:
        """Read a new snapshot if the revision moved, work the page out for `now` and render `key` of it, then
        put them in place at once; True when the database could not be read (the last good snapshot stays)."""
        stale = False
        snapshot = self._snapshot
        if revision is not None and (snapshot is None or snapshot.revision != revision):
            try:
                snapshot = read_snapshot(self.ctx)
            except _UNREACHABLE as exc:
                self._note_unreachable(exc)
                stale = True
            else:
                self.loads += 1
        if snapshot is None:
            return stale
        page = snapshot.page(self.ctx, now)
        renders: dict[str, Render] = {}
        self._render(snapshot, page, renders, key, renderer)
        with self._lock:
            self._snapshot, self._page, self._renders = snapshot, page, renders
        return stale

    def _render(
        self, snapshot: Snapshot, page: StatusPage, renders: dict[str, Render], key: str, renderer: Renderer
    ) -> Render:
        last_modified = max(snapshot.changed_at, page.clock_changed_at).astimezone(UTC).replace(microsecond=0)
        body, media_type, status_code = renderer(page, last_modified)
        cached = Render(
            body=body,
            media_type=media_type,
            etag=_etag(snapshot.revision, page.valid_until, key, body),
            last_modified=last_modified,
            status_code=status_code,
        )
        # Only pages that exist are kept, and only so many: a Host header or an unknown id cannot grow it.
        with self._lock:
            if status_code == 200 and len(renders) < MAX_RENDERS:
                renders[key] = cached
        return cached

    def _note_unreachable(self, exc: BaseException) -> None:
        if not self._unreachable:
            self._unreachable = True
            log.warning(
                "status page: the database is unreachable (%s); serving the last good snapshot", type(exc).__name__
            )


def _etag(revision: int, valid_until: datetime, key: str, body: bytes) -> str:
    digest = hashlib.sha256(key.encode() + b"\0" + body).hexdigest()[:20]
    return f'"r{revision}-{int(valid_until.timestamp())}-{digest}"'
