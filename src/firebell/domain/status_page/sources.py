"""What the public status page is made from: published updates of public incidents and maintenance windows, as
read from the store (only what was published; never drafts, internal titles or internal text)."""

from dataclasses import dataclass, field
from datetime import datetime

from firebell.domain.status_page.vocabulary import ComponentStatus, MaintenanceStatus, PublicStatus


@dataclass(frozen=True)
class PublishedUpdate:
    """One published public update: its status, text and the components it names (slug -> status)."""

    number: int  # 1 for an incident's first published update
    published_at: datetime
    status: PublicStatus
    body: str
    components: dict[str, ComponentStatus] = field(default_factory=dict)


@dataclass(frozen=True)
class PublicIncident:
    """A public incident: its public title and its published updates, oldest first (never empty)."""

    public_id: str
    title: str
    impact: str  # Indicator value: the worst it has been
    updates: tuple[PublishedUpdate, ...]

    @property
    def started_at(self) -> datetime:
        """When the public first heard of it (its first published update)."""
        return self.updates[0].published_at

    @property
    def updated_at(self) -> datetime:
        """Its latest published update."""
        return self.updates[-1].published_at

    @property
    def latest(self) -> PublishedUpdate:
        """The update in force."""
        return self.updates[-1]

    @property
    def status(self) -> PublicStatus:
        """Where it stands, as its latest update says."""
        return self.latest.status

    @property
    def resolved_at(self) -> datetime | None:
        """When its latest update resolved it (None while it is open)."""
        return self.latest.published_at if self.status is PublicStatus.RESOLVED else None

    @property
    def monitoring_at(self) -> datetime | None:
        """When an update first said the fix is being monitored."""
        return next((u.published_at for u in self.updates if u.status is PublicStatus.MONITORING), None)

    def component_slugs(self) -> tuple[str, ...]:
        """Every component any of its updates named, in the order first named."""
        seen: dict[str, None] = {}
        for update in self.updates:
            seen.update(dict.fromkeys(update.components))
        return tuple(seen)


@dataclass(frozen=True)
class Maintenance:
    """A maintenance window of components; `cancelled_at` ends it early (or calls it off before it starts)."""

    public_id: str
    title: str
    body: str
    components: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    cancelled_at: datetime | None = None

    @property
    def effective_end(self) -> datetime:
        """When it ends: its planned end, or earlier when it was cancelled."""
        if self.cancelled_at is not None and self.cancelled_at < self.ends_at:
            return self.cancelled_at
        return self.ends_at

    @property
    def called_off(self) -> bool:
        """Cancelled before it started: the page no longer shows it."""
        return self.effective_end <= self.starts_at

    def status_at(self, now: datetime) -> MaintenanceStatus:
        """Scheduled before its window, in progress inside it, completed after it (or after it was cut short)."""
        if now < self.starts_at:
            return MaintenanceStatus.SCHEDULED
        if now < self.effective_end:
            return MaintenanceStatus.IN_PROGRESS
        return MaintenanceStatus.COMPLETED
