"""The store's front door: transactions that tell listeners when they committed new outbox work."""

import contextlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from firebell.store.engine import readonly
from firebell.store.write_lock import WriterQueue

EFFECTS_ADDED = "firebell_effects_added"


class Database:
    """Sessions for use cases (read-write) and queries (read-only), plus after-commit notifications."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._readonly_sessions = sessionmaker(readonly(engine), expire_on_commit=False)
        self._effect_listeners: list[Callable[[], None]] = []
        # SQLite: one writer at a time, queued in-process with people's requests first (see write_lock).
        self._writers = WriterQueue() if engine.dialect.name == "sqlite" else None

    def on_effects_committed(self, listener: Callable[[], None]) -> None:
        """Call `listener` after any transaction that enqueued Slack effects commits."""
        self._effect_listeners.append(listener)

    @contextmanager
    def transaction(self, *, background: bool = False) -> Iterator[Session]:
        """A read-write unit of work: commits on success, rolls back on error.

        `background` marks work nobody is waiting for (outbox delivery, scheduler ticks): on SQLite it
        yields the writer slot to requests that acknowledge a user.
        """
        slot = self._writers.hold(background=background) if self._writers else contextlib.nullcontext()
        with slot, self._sessions.begin() as session:
            yield session
            added = session.info.pop(EFFECTS_ADDED, False)
        if added:
            for listener in self._effect_listeners:
                listener()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session."""
        with self._readonly_sessions() as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
