"""A change to one incident: load it by channel or number inside a transaction, stamp the time."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from firebell.services.context import Context
from firebell.services.incidents import load_by_channel, load_by_number
from firebell.store.models import Incident


@dataclass
class Change:
    """The open transaction, the incident being changed and the time of the change."""

    session: Session
    incident: Incident
    now: datetime


@contextmanager
def incident_change(ctx: Context, *, channel_id: str | None = None, number: int | None = None) -> Iterator[Change]:
    """Open a transaction on the incident of a war room (or by number); commits when the block succeeds."""
    with ctx.db.transaction() as session:
        if channel_id is not None:
            incident = load_by_channel(session, channel_id)
        elif number is not None:
            incident = load_by_number(session, number)
        else:
            raise ValueError("incident_change needs a channel_id or a number")
        now = ctx.clock()
        yield Change(session=session, incident=incident, now=now)
        incident.updated_at = now
