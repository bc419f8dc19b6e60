"""Maintenance windows of services: while one is open, alerts and declares are recorded as usual but nobody is
paged; paging resumes when it ends.

Seam: the windows are not stored yet, so no service is ever in maintenance. `/oncall maintenance` fills this in.
"""

from datetime import datetime

from sqlalchemy.orm import Session


def maintenance_until(session: Session, service: str, at: datetime) -> datetime | None:
    """When the maintenance window of `service` open at `at` ends (None: not in maintenance at `at`)."""
    del session, service, at
    return None
