"""What the bridge to Atlassian Statuspage remembers: the remote incident it made for each of ours.

One row per public incident or maintenance (`kind` and our `public_id`), written as soon as Statuspage answers
the create, so a redelivered effect updates that incident instead of making a second one.
"""

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from firebell.store.models import Base


class StatuspageLink(Base):
    """Our public incident or maintenance, and Statuspage's incident for it."""

    __tablename__ = "statuspage_links"
    __table_args__ = (UniqueConstraint("kind", "public_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # "incident" or "maintenance"
    public_id: Mapped[str] = mapped_column(String(16))  # status_incidents.public_id or status_maintenances.public_id
    remote_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
