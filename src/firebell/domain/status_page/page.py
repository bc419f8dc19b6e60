"""The public status page worked out from what was published, at a given moment (`now` is passed in).

Each component's status is the worst of the latest published update of every open public incident naming it, and
`under_maintenance` while a maintenance window of it is in progress. The page also knows when it next changes by
the clock alone (`valid_until`: a maintenance starting or ending, the next minute while an impact is counting up
today's bar, local midnight for the bars), so a cached render expires exactly then, and since when it has looked
as it does by the clock alone (`clock_changed_at`).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from firebell.domain.status_page.config import Component, StatusPageConfig
from firebell.domain.status_page.history_bars import ComponentHistory, history_of, local_midnight, segments_of
from firebell.domain.status_page.sources import Maintenance, PublicIncident
from firebell.domain.status_page.vocabulary import (
    ComponentStatus,
    Indicator,
    MaintenanceStatus,
    indicator_of,
    worst,
)

RECENT_DAYS = 7  # resolved incidents and completed maintenance stay on the front page this many local days


@dataclass(frozen=True)
class ComponentView:
    """A component as the page shows it: where it stands now and its 90 days."""

    component: Component
    position: int  # 1-based, in the policy file's order
    status: ComponentStatus
    history: ComponentHistory
    changed_at: datetime | None  # the latest moment something public changed its status (None: never)


@dataclass(frozen=True)
class GroupView:
    """Components under one group heading (`name` None: components without a group)."""

    name: str | None
    components: tuple[ComponentView, ...]

    @property
    def status(self) -> ComponentStatus:
        """The worst of its components."""
        return worst([c.status for c in self.components])


@dataclass(frozen=True)
class MaintenanceView:
    """A maintenance window with its status by the clock."""

    maintenance: Maintenance
    status: MaintenanceStatus


@dataclass(frozen=True)
class StatusPage:
    """Everything the page, its JSON and its feeds show, at `now`."""

    config: StatusPageConfig
    now: datetime
    today: date
    indicator: Indicator
    components: tuple[ComponentView, ...]
    groups: tuple[GroupView, ...]
    active_incidents: tuple[PublicIncident, ...]  # newest first
    recent_incidents: tuple[PublicIncident, ...]  # resolved in the last RECENT_DAYS local days, newest first
    incidents: tuple[PublicIncident, ...]  # every public incident, newest first
    maintenances: tuple[MaintenanceView, ...]  # every one not called off, by start
    valid_until: datetime
    clock_changed_at: datetime

    @property
    def description(self) -> str:
        """The banner: "All Systems Operational", "Partial System Outage", ..."""
        return self.indicator.description

    @property
    def zone(self) -> ZoneInfo:
        """The page's time zone."""
        return ZoneInfo(self.config.timezone)

    def maintenances_in(self, *statuses: MaintenanceStatus) -> tuple[MaintenanceView, ...]:
        """The maintenance windows in these states (by start)."""
        return tuple(m for m in self.maintenances if m.status in statuses)

    @property
    def recent_maintenances(self) -> tuple[MaintenanceView, ...]:
        """Maintenance completed in the last RECENT_DAYS local days, latest first."""
        since = local_midnight(self.today - timedelta(days=RECENT_DAYS - 1), self.zone)
        done = [
            m
            for m in self.maintenances
            if m.status is MaintenanceStatus.COMPLETED and m.maintenance.effective_end >= since
        ]
        return tuple(reversed(done))

    def incident(self, public_id: str) -> PublicIncident | None:
        """A public incident by its public id."""
        return next((i for i in self.incidents if i.public_id == public_id), None)

    def component_name(self, slug: str) -> str:
        """A component's name by slug (the slug itself for one no longer configured)."""
        return next((c.component.name for c in self.components if c.component.slug == slug), slug)


def build_page(
    config: StatusPageConfig,
    incidents: list[PublicIncident] | tuple[PublicIncident, ...],
    maintenances: list[Maintenance] | tuple[Maintenance, ...],
    now: datetime,
) -> StatusPage:
    """The page at `now` from the published incidents and the maintenance windows."""
    zone = ZoneInfo(config.timezone)
    today = now.astimezone(zone).date()
    minute = now.replace(second=0, microsecond=0)  # bars count whole minutes: they change once a minute at most
    incidents = tuple(sorted((i for i in incidents if i.updates), key=lambda i: i.started_at, reverse=True))
    shown = tuple(sorted((m for m in maintenances if not m.called_off), key=lambda m: m.starts_at))
    open_incidents = tuple(i for i in incidents if i.resolved_at is None)
    in_progress = [m for m in shown if m.status_at(now) is MaintenanceStatus.IN_PROGRESS]
    components = []
    for position, component in enumerate(config.components, start=1):
        slug = component.slug
        statuses = [i.latest.components[slug] for i in open_incidents if slug in i.latest.components]
        statuses += [ComponentStatus.UNDER_MAINTENANCE for m in in_progress if slug in m.components]
        segments = segments_of(slug, incidents, shown, minute)
        components.append(
            ComponentView(
                component=component,
                position=position,
                status=worst(statuses),
                history=history_of(segments, today=today, zone=zone, now=minute),
                changed_at=_changed_at(slug, incidents, shown, now),
            )
        )
    since = local_midnight(today - timedelta(days=RECENT_DAYS - 1), zone)
    valid_until, clock_changed_at = _clock_bounds(now, today, zone, shown, components)
    return StatusPage(
        config=config,
        now=now,
        today=today,
        indicator=indicator_of([c.status for c in components]),
        components=tuple(components),
        groups=_groups(components),
        active_incidents=open_incidents,
        recent_incidents=tuple(i for i in incidents if i.resolved_at is not None and i.resolved_at >= since),
        incidents=incidents,
        maintenances=tuple(MaintenanceView(m, m.status_at(now)) for m in shown),
        valid_until=valid_until,
        clock_changed_at=clock_changed_at,
    )


def _groups(components: list[ComponentView]) -> tuple[GroupView, ...]:
    """Components by group, groups in the order first met; ungrouped components keep their own place."""
    order: dict[str | None, list[ComponentView]] = {}
    for view in components:
        order.setdefault(view.component.group, []).append(view)
    return tuple(GroupView(name, tuple(views)) for name, views in order.items())


def _changed_at(
    slug: str, incidents: tuple[PublicIncident, ...], maintenances: tuple[Maintenance, ...], now: datetime
) -> datetime | None:
    moments = [u.published_at for i in incidents for u in i.updates if slug in u.components]
    for m in maintenances:
        if slug in m.components:
            moments += [t for t in (m.starts_at, m.effective_end) if t <= now]
    return max(moments, default=None)


def _clock_bounds(
    now: datetime, today: date, zone: ZoneInfo, maintenances: tuple[Maintenance, ...], components: list[ComponentView]
) -> tuple[datetime, datetime]:
    """(the next moment the page changes by the clock alone, the last moment it did)."""
    midnight = local_midnight(today, zone)
    later = [local_midnight(today + timedelta(days=1), zone)]
    earlier = [midnight]
    for m in maintenances:
        for moment in (m.starts_at, m.effective_end):
            (later if moment > now else earlier).append(moment)
    if any(c.status is not ComponentStatus.OPERATIONAL for c in components):
        minute = now.replace(second=0, microsecond=0)  # today's bar is counting minutes
        later.append(minute + timedelta(minutes=1))
        earlier.append(minute)
    return min(later), max(earlier)
