"""What every use case needs: the database, the policy and the clock."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from firebell.domain.policy import Policy
from firebell.store.database import Database


def utc_now() -> datetime:
    """The real clock (tests pass their own)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Context:
    """The dependencies of the use cases, passed explicitly."""

    db: Database
    policy: Policy
    clock: Callable[[], datetime] = utc_now
