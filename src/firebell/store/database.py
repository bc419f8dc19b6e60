"""The store's front door: transactions that tell listeners when they committed new outbox work."""

import contextlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from firebell.store.engine import readonly
from firebell.store.write_lock import Urgency, WriterQueue

EFFECTS_ADDED = "firebell_effects_added"
PAGES_DUE = "firebell_pages_due"  # a transaction started a page or made one due now: wake the pager on commit


@dataclass
class Seal:
    """A write that must commit with the first transaction of a piece of work, or not at all.

    Carrying out an inbox entry marks it done in the same transaction as the change it makes, so a
    crash either loses both (the entry is carried out again) or keeps both (it is never redone).
    `apply` raises to roll the transaction back when the work must not commit (the claim was lost).
    """

    apply: Callable[[Session], None]
    applied: bool = False


_SEAL: ContextVar[Seal | None] = ContextVar("firebell_seal", default=None)


class Database:
    """Sessions for use cases (read-write) and queries (read-only), plus after-commit notifications."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._readonly_sessions = sessionmaker(readonly(engine), expire_on_commit=False)
        self._effect_listeners: list[Callable[[], None]] = []
        self._page_listeners: list[Callable[[], None]] = []
        # SQLite: one writer at a time, queued in-process by urgency (see write_lock).
        self._writers = WriterQueue() if engine.dialect.name == "sqlite" else None

    def on_effects_committed(self, listener: Callable[[], None]) -> None:
        """Call `listener` after any transaction that enqueued Slack effects commits."""
        self._effect_listeners.append(listener)

    def on_pages_due(self, listener: Callable[[], None]) -> None:
        """Call `listener` after any transaction that started a page or made one due now commits."""
        self._page_listeners.append(listener)

    @contextmanager
    def sealing(self, seal: Seal) -> Iterator[Seal]:
        """Within the block (on this thread), the first read-write transaction also applies `seal`."""
        token = _SEAL.set(seal)
        try:
            yield seal
        finally:
            _SEAL.reset(token)

    @contextmanager
    def transaction(self, *, background: bool = False, seals: bool = True) -> Iterator[Session]:
        """A read-write unit of work: commits on success, rolls back on error.

        `background` marks work nobody is waiting for (outbox delivery, scheduler ticks): on SQLite, the
        writer slot goes to acknowledgements first (`acknowledging()`), then to requests people wait on,
        then to background work.
        With `seals` False, a preliminary write (taking a number, say) leaves the seal to the change itself.
        """
        urgency = Urgency.BACKGROUND if background else Urgency.FOREGROUND
        slot = self._writers.hold(urgency) if self._writers else contextlib.nullcontext()
        # Background work (a cache of names, say) never carries a seal: only the change a person asked for.
        seal = _SEAL.get() if seals and not background else None
        if seal is not None and seal.applied:
            seal = None
        with slot, self._sessions.begin() as session:
            yield session
            if seal is not None:
                seal.apply(session)
            added = session.info.pop(EFFECTS_ADDED, False)
            pages = session.info.pop(PAGES_DUE, False)
        if seal is not None:  # committed
            seal.applied = True
        if added:
            for listener in self._effect_listeners:
                listener()
        if pages:
            for listener in self._page_listeners:
                listener()

    @contextmanager
    def acknowledging(self) -> Iterator[Connection]:
        """A Core transaction for the inbox record an acknowledgement waits on: first in SQLite's writer
        queue, and without an ORM session's bookkeeping (it runs while Slack waits)."""
        slot = self._writers.hold(Urgency.ACK) if self._writers else contextlib.nullcontext()
        with slot, self.engine.begin() as connection:
            yield connection

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session."""
        with self._readonly_sessions() as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
