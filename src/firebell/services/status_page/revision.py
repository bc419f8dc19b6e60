"""The status page's revision: bumped in the transaction of every change the public page shows."""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from firebell.store.models import StatusPageRevision


def bump_revision(session: Session, now: datetime) -> None:
    """Tell every process's cached page it is stale once this transaction commits."""
    session.execute(
        update(StatusPageRevision)
        .where(StatusPageRevision.id == 1)
        .values(revision=StatusPageRevision.revision + 1, changed_at=now)
    )


def current_revision(session: Session) -> int:
    """The page's revision now (one primary-key read)."""
    return int(session.scalar(select(StatusPageRevision.revision).where(StatusPageRevision.id == 1)) or 0)
