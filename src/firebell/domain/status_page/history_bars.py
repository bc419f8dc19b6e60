"""The 90-day history bars: each day of a component coloured by its worst impact that day, in the page's time zone,
with a text equivalent ("2026-12-03: partial outage, 42 min") and an uptime summary.

A component's status over time comes from the published updates of the incidents naming it (an update's status for
the component holds until the incident's next update, or until now while it is open; a resolving update ends it)
and from its maintenance windows. Where several overlap, the worst holds. A day with maintenance only is marked as
maintenance, not as an outage, and maintenance never counts against uptime.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from firebell.domain.status_page.sources import Maintenance, PublicIncident
from firebell.domain.status_page.vocabulary import ComponentStatus, PublicStatus, worst

DAYS = 90
# Statuspage's uptime arithmetic: a major outage counts in full, a partial outage at 30%, degraded not at all.
_DOWNTIME_WEIGHT = {ComponentStatus.MAJOR_OUTAGE: 1.0, ComponentStatus.PARTIAL_OUTAGE: 0.3}
_ORDER = (
    ComponentStatus.MAJOR_OUTAGE,
    ComponentStatus.PARTIAL_OUTAGE,
    ComponentStatus.DEGRADED_PERFORMANCE,
    ComponentStatus.UNDER_MAINTENANCE,
)


@dataclass(frozen=True)
class Segment:
    """A stretch of time during which a component had one status (never operational)."""

    start: datetime
    end: datetime
    status: ComponentStatus


@dataclass(frozen=True)
class DayBar:
    """One day of one component: its worst status that day and the minutes it spent in each (worst first)."""

    day: date
    status: ComponentStatus
    minutes: tuple[tuple[ComponentStatus, int], ...]

    @property
    def text(self) -> str:
        """The day as words: "2026-12-03: partial outage, 42 min; degraded performance, 10 min"."""
        if not self.minutes:
            return f"{self.day.isoformat()}: no incidents"
        parts = "; ".join(f"{status.label.lower()}, {minutes} min" for status, minutes in self.minutes)
        return f"{self.day.isoformat()}: {parts}"


@dataclass(frozen=True)
class ComponentHistory:
    """A component's 90 bars, oldest first, with its uptime over them."""

    bars: tuple[DayBar, ...]
    uptime: float  # 0..100

    @property
    def summary(self) -> str:
        """The bars as one sentence: uptime, and how many days had incidents or maintenance."""
        incident_days = sum(1 for bar in self.bars if bar.status.impact > 0)
        maintenance_days = sum(1 for bar in self.bars if bar.status is ComponentStatus.UNDER_MAINTENANCE)
        uptime = f"{self.uptime:.2f}".rstrip("0").rstrip(".")
        text = f"{uptime}% uptime over the last {len(self.bars)} days"
        text += f"; {_days(incident_days)} with incidents" if incident_days else "; no incidents"
        if maintenance_days:
            text += f", {_days(maintenance_days)} with maintenance only"
        return text + "."


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def segments_of(
    slug: str, incidents: Iterable[PublicIncident], maintenances: Iterable[Maintenance], until: datetime
) -> list[Segment]:
    """The component's statuses over time up to `until`: non-overlapping, the worst where several overlap."""
    spans: list[Segment] = []
    for incident in incidents:
        updates = incident.updates
        for index, update in enumerate(updates):
            if update.status is PublicStatus.RESOLVED:
                break
            status = update.components.get(slug, ComponentStatus.OPERATIONAL)
            end = updates[index + 1].published_at if index + 1 < len(updates) else until
            if status is not ComponentStatus.OPERATIONAL and update.published_at < min(end, until):
                spans.append(Segment(update.published_at, min(end, until), status))
    for maintenance in maintenances:
        end = min(maintenance.effective_end, until)
        if slug in maintenance.components and maintenance.starts_at < end:
            spans.append(Segment(maintenance.starts_at, end, ComponentStatus.UNDER_MAINTENANCE))
    return _flatten(spans)


def _flatten(spans: list[Segment]) -> list[Segment]:
    """Overlapping spans as one line of segments, each with the worst status in force (a sweep over the ends)."""
    events = sorted([(s.start, 1, s.status) for s in spans] + [(s.end, -1, s.status) for s in spans])
    active = dict.fromkeys(_ORDER, 0)
    flat: list[Segment] = []
    previous: datetime | None = None
    for moment, delta, status in events:
        if previous is not None and moment > previous:
            current = worst([s for s, count in active.items() if count > 0])
            if current is not ComponentStatus.OPERATIONAL:
                if flat and flat[-1].end == previous and flat[-1].status is current:
                    flat[-1] = Segment(flat[-1].start, moment, current)
                else:
                    flat.append(Segment(previous, moment, current))
        active[status] += delta
        previous = moment
    return flat


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The start of `day` in the page's time zone."""
    return datetime.combine(day, time(0), tzinfo=zone)


def history_of(segments: list[Segment], *, today: date, zone: ZoneInfo, now: datetime) -> ComponentHistory:
    """The component's bars for the 90 days up to `today` (the page's local date), counted up to `now`."""
    bars = []
    downtime = 0.0
    first = today - timedelta(days=DAYS - 1)
    # One pass over the days and the segments together (by start), not every segment for every day: a page with
    # a thousand incidents is worked out again every minute while one is open.
    ordered = sorted(segments, key=lambda segment: segment.start)
    skip = 0
    for offset in range(DAYS):
        day = first + timedelta(days=offset)
        start, end = local_midnight(day, zone), min(local_midnight(day + timedelta(days=1), zone), now)
        seconds = dict.fromkeys(_ORDER, 0.0)
        while skip < len(ordered) and ordered[skip].end <= start:  # over before this day: over for every later one
            skip += 1
        for index in range(skip, len(ordered)):
            segment = ordered[index]
            if segment.start >= end:  # this and every later one start after the day
                break
            overlap = (min(segment.end, end) - max(segment.start, start)).total_seconds()
            if overlap > 0:
                seconds[segment.status] += overlap
        minutes = tuple((status, max(1, round(s / 60))) for status, s in seconds.items() if s > 0)
        status = minutes[0][0] if minutes else ComponentStatus.OPERATIONAL
        bars.append(DayBar(day=day, status=status, minutes=minutes))
        downtime += sum(weight * seconds[status] for status, weight in _DOWNTIME_WEIGHT.items())
    total = DAYS * 86400.0
    return ComponentHistory(bars=tuple(bars), uptime=max(0.0, 100.0 * (1 - downtime / total)))
