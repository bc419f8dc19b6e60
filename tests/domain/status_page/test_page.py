"""The status page worked out from published updates and maintenance, at a given moment: no I/O, no clock."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from firebell.domain.status_page.config import StatusPageConfig
from firebell.domain.status_page.history import history_page
from firebell.domain.status_page.page import build_page
from firebell.domain.status_page.sources import Maintenance, PublicIncident, PublishedUpdate
from firebell.domain.status_page.vocabulary import ComponentStatus, Indicator, MaintenanceStatus, PublicStatus

C = ComponentStatus
P = PublicStatus
BERLIN = ZoneInfo("Europe/Berlin")
CONFIG = StatusPageConfig.model_validate(
    {
        "title": "Acme",
        "timezone": "Europe/Berlin",
        "components": [
            {"name": "Checkout API", "group": "Payments"},
            {"name": "Refunds", "group": "Payments"},
            {"name": "Search"},
        ],
    }
)
NOW = datetime(2026, 12, 3, 13, 0, 30, tzinfo=UTC)  # 14:00:30 in Berlin (CET, UTC+1)


def at(hours: float, day: int = 3) -> datetime:
    """A moment on December `day` (UTC), `hours` after midnight UTC."""
    return datetime(2026, 12, day, tzinfo=UTC) + timedelta(hours=hours)


def incident(
    public_id: str, *updates: tuple[datetime, PublicStatus, dict[str, ComponentStatus]], impact: str = "major"
) -> PublicIncident:
    return PublicIncident(
        public_id=public_id,
        title=f"Incident {public_id}",
        impact=impact,
        updates=tuple(
            PublishedUpdate(number=n, published_at=t, status=s, body=f"update {n}", components=c)
            for n, (t, s, c) in enumerate(updates, start=1)
        ),
    )


def maintenance(
    public_id: str, starts: datetime, ends: datetime, components: tuple[str, ...] = ("search",), **kw: datetime
) -> Maintenance:
    return Maintenance(
        public_id=public_id,
        title=f"Maintenance {public_id}",
        body="Planned work.",
        components=components,
        starts_at=starts,
        ends_at=ends,
        created_at=starts - timedelta(days=2),
        cancelled_at=kw.get("cancelled_at"),
    )


def statuses(page: object) -> dict[str, ComponentStatus]:
    return {c.component.slug: c.status for c in page.components}  # type: ignore[attr-defined]


def test_an_empty_page_is_operational_and_changes_at_local_midnight() -> None:
    page = build_page(CONFIG, [], [], NOW)
    assert statuses(page) == {"checkout-api": C.OPERATIONAL, "refunds": C.OPERATIONAL, "search": C.OPERATIONAL}
    assert (page.indicator, page.description) == (Indicator.NONE, "All Systems Operational")
    assert [g.name for g in page.groups] == ["Payments", None]
    assert page.today == date(2026, 12, 3)
    assert page.valid_until == datetime(2026, 12, 4, tzinfo=BERLIN)  # 23:00 UTC
    assert page.clock_changed_at == datetime(2026, 12, 3, tzinfo=BERLIN)
    bars = page.components[0].history.bars
    assert len(bars) == 90 and bars[-1].day == date(2026, 12, 3) and bars[0].day == date(2026, 9, 5)
    assert bars[-1].text == "2026-12-03: no incidents"
    assert page.components[0].history.summary == "100% uptime over the last 90 days; no incidents."


def test_a_component_takes_the_worst_latest_update_of_every_open_incident() -> None:
    a = incident(
        "a",
        (at(10), P.INVESTIGATING, {"checkout-api": C.MAJOR_OUTAGE}),
        (at(11), P.IDENTIFIED, {"checkout-api": C.DEGRADED_PERFORMANCE}),
    )
    b = incident("b", (at(12), P.INVESTIGATING, {"checkout-api": C.PARTIAL_OUTAGE, "refunds": C.DEGRADED_PERFORMANCE}))
    done = incident(
        "c", (at(9), P.INVESTIGATING, {"search": C.MAJOR_OUTAGE}), (at(9.5), P.RESOLVED, {"search": C.OPERATIONAL})
    )
    page = build_page(CONFIG, [a, b, done], [], NOW)
    # a's latest update (degraded) replaced its major outage; b's partial outage is worse; c is resolved
    assert statuses(page) == {
        "checkout-api": C.PARTIAL_OUTAGE,
        "refunds": C.DEGRADED_PERFORMANCE,
        "search": C.OPERATIONAL,
    }
    assert (page.indicator, page.description) == (Indicator.MAJOR, "Partial System Outage")
    assert page.groups[0].status is C.PARTIAL_OUTAGE
    assert [i.public_id for i in page.active_incidents] == ["b", "a"]  # newest first
    assert [i.public_id for i in page.recent_incidents] == ["c"]
    assert page.incident("a") is a and page.incident("zzz") is None
    # an impact is counting up today's bar: the page changes at the next whole minute
    assert page.valid_until == datetime(2026, 12, 3, 13, 1, tzinfo=UTC)
    assert page.clock_changed_at == datetime(2026, 12, 3, 13, 0, tzinfo=UTC)


def test_maintenance_follows_the_clock_and_an_outage_outranks_it() -> None:
    upcoming = maintenance("up", at(15), at(17))
    running = maintenance("run", at(12), at(14), components=("search", "refunds"))
    cut_short = maintenance("cut", at(8), at(12), cancelled_at=at(9))
    called_off = maintenance("off", at(20), at(22), cancelled_at=at(11))
    outage = incident("x", (at(12.5), P.INVESTIGATING, {"refunds": C.MAJOR_OUTAGE}))
    page = build_page(CONFIG, [outage], [upcoming, running, cut_short, called_off], NOW)
    assert statuses(page) == {"checkout-api": C.OPERATIONAL, "refunds": C.MAJOR_OUTAGE, "search": C.UNDER_MAINTENANCE}
    assert page.indicator is Indicator.CRITICAL
    assert [(m.maintenance.public_id, m.status) for m in page.maintenances] == [
        ("cut", MaintenanceStatus.COMPLETED),
        ("run", MaintenanceStatus.IN_PROGRESS),
        ("up", MaintenanceStatus.SCHEDULED),
    ]
    assert [m.maintenance.public_id for m in page.recent_maintenances] == ["cut"]
    only_maintenance = build_page(CONFIG, [], [running], NOW)
    assert (only_maintenance.indicator, only_maintenance.description) == (
        Indicator.MAINTENANCE,
        "Service Under Maintenance",
    )


def test_valid_until_is_the_next_maintenance_start_or_end() -> None:
    upcoming = maintenance("up", at(15), at(17))
    assert build_page(CONFIG, [], [upcoming], NOW).valid_until == at(15)
    during = build_page(CONFIG, [], [upcoming], at(15.5))
    assert during.components[2].status is C.UNDER_MAINTENANCE
    assert during.valid_until == at(15.5) + timedelta(minutes=1)  # maintenance minutes are counting up today's bar
    after = build_page(CONFIG, [], [upcoming], at(17))
    assert after.components[2].status is C.OPERATIONAL
    assert after.valid_until == datetime(2026, 12, 4, tzinfo=BERLIN)
    assert after.clock_changed_at == at(17)


def test_a_day_is_coloured_by_its_worst_impact_with_its_minutes_as_text() -> None:
    worse = incident(
        "w",
        (at(8), P.INVESTIGATING, {"checkout-api": C.DEGRADED_PERFORMANCE}),
        (at(8) + timedelta(minutes=10), P.IDENTIFIED, {"checkout-api": C.PARTIAL_OUTAGE}),
        (at(8) + timedelta(minutes=52), P.RESOLVED, {"checkout-api": C.OPERATIONAL}),
    )
    page = build_page(CONFIG, [worse], [], NOW)
    today = page.components[0].history.bars[-1]
    assert today.status is C.PARTIAL_OUTAGE
    assert today.text == "2026-12-03: partial outage, 42 min; degraded performance, 10 min"
    assert page.components[1].history.bars[-1].status is C.OPERATIONAL
    assert page.components[0].history.summary.startswith("99.99% uptime over the last 90 days; 1 day with incidents")


def test_days_are_cut_at_midnight_in_the_page_time_zone() -> None:
    # 23:30 to 00:30 in Berlin is 22:30 to 23:30 UTC: half on each local day
    spanning = incident(
        "s", (at(22.5, day=1), P.INVESTIGATING, {"search": C.MAJOR_OUTAGE}), (at(23.5, day=1), P.RESOLVED, {})
    )
    bars = build_page(CONFIG, [spanning], [], NOW).components[2].history.bars
    assert [b.text for b in bars[-3:-1]] == ["2026-12-01: major outage, 30 min", "2026-12-02: major outage, 30 min"]
    assert bars[-1].status is C.OPERATIONAL


def test_overlapping_incidents_count_the_worst_once() -> None:
    one = incident("1", (at(8), P.INVESTIGATING, {"search": C.PARTIAL_OUTAGE}), (at(9), P.RESOLVED, {}))
    two = incident("2", (at(8.5), P.INVESTIGATING, {"search": C.MAJOR_OUTAGE}), (at(8.75), P.RESOLVED, {}))
    bar = build_page(CONFIG, [one, two], [], NOW).components[2].history.bars[-1]
    assert bar.text == "2026-12-03: major outage, 15 min; partial outage, 45 min"  # 60 minutes in all, not 75


def test_an_open_incident_counts_up_to_now_and_maintenance_is_not_downtime() -> None:
    ongoing = incident("o", (at(12), P.INVESTIGATING, {"checkout-api": C.MAJOR_OUTAGE}))
    work = maintenance("m", at(2), at(4), components=("refunds",))
    page = build_page(CONFIG, [ongoing], [work], NOW)
    assert page.components[0].history.bars[-1].text == "2026-12-03: major outage, 60 min"  # to 13:00, whole minutes
    refunds = page.components[1].history
    assert refunds.bars[-1].status is C.UNDER_MAINTENANCE
    assert refunds.bars[-1].text == "2026-12-03: under maintenance, 120 min"
    assert refunds.uptime == 100.0
    assert refunds.summary == "100% uptime over the last 90 days; no incidents, 1 day with maintenance only."


def test_a_whole_day_of_major_outage_costs_one_ninetieth_of_uptime() -> None:
    day = incident(
        "d",
        (datetime(2026, 11, 20, tzinfo=BERLIN), P.INVESTIGATING, {"search": C.MAJOR_OUTAGE}),
        (datetime(2026, 11, 21, tzinfo=BERLIN), P.RESOLVED, {}),
    )
    history = build_page(CONFIG, [day], [], NOW).components[2].history
    assert round(history.uptime, 2) == 98.89
    assert [b.day for b in history.bars if b.status is C.MAJOR_OUTAGE] == [date(2026, 11, 20)]
    partial = incident(
        "p",
        (datetime(2026, 11, 20, tzinfo=BERLIN), P.INVESTIGATING, {"search": C.PARTIAL_OUTAGE}),
        (datetime(2026, 11, 21, tzinfo=BERLIN), P.RESOLVED, {}),
    )
    assert round(build_page(CONFIG, [partial], [], NOW).components[2].history.uptime, 2) == 99.67  # 30%


def test_recently_resolved_means_the_last_seven_local_days() -> None:
    old = incident(
        "old",
        (at(10, day=26) - timedelta(days=30), P.INVESTIGATING, {}),
        (at(10, day=26) - timedelta(days=30), P.RESOLVED, {}),
    )
    week = incident(
        "week",
        (at(0, day=1) - timedelta(days=4), P.INVESTIGATING, {}),
        (datetime(2026, 11, 27, tzinfo=BERLIN), P.RESOLVED, {}),
    )
    page = build_page(CONFIG, [old, week], [], NOW)
    assert [i.public_id for i in page.recent_incidents] == ["week"]
    assert [i.public_id for i in page.incidents] == ["week", "old"]
    assert page.active_incidents == ()


def test_history_groups_resolved_incidents_by_local_month_three_months_a_page() -> None:
    # 00:30 on December 1 in Berlin is still November 30 in UTC: it belongs to December
    december = incident(
        "dec", (datetime(2026, 12, 1, 0, 30, tzinfo=BERLIN), P.INVESTIGATING, {}), (at(5), P.RESOLVED, {})
    )
    august = incident(
        "aug",
        (at(0, day=1) - timedelta(days=100), P.INVESTIGATING, {}),
        (at(0, day=1) - timedelta(days=99), P.RESOLVED, {}),
    )
    still_open = incident("open", (at(9), P.INVESTIGATING, {}))
    work = maintenance("m", at(2, day=2) - timedelta(days=31), at(3, day=2) - timedelta(days=31))
    first = history_page((december, august, still_open), (work,), zone=BERLIN, today=date(2026, 12, 3), page=1)
    assert (first.number, first.pages) == (1, 2)
    assert [m.label for m in first.months] == ["December 2026", "November 2026", "October 2026"]
    assert [i.public_id for i in first.months[0].incidents] == ["dec"]
    assert [m.public_id for m in first.months[1].maintenances] == ["m"]
    assert first.months[2].incidents == () and first.months[2].maintenances == ()
    second = history_page((december, august, still_open), (work,), zone=BERLIN, today=date(2026, 12, 3), page=2)
    assert [m.label for m in second.months] == ["September 2026", "August 2026"]
    assert [i.public_id for i in second.months[1].incidents] == ["aug"]
    assert history_page((), (), zone=BERLIN, today=date(2026, 12, 3), page=3).months == ()


def test_an_incident_knows_its_components_and_moments() -> None:
    i = incident(
        "i",
        (at(1), P.INVESTIGATING, {"search": C.MAJOR_OUTAGE}),
        (at(2), P.MONITORING, {"refunds": C.DEGRADED_PERFORMANCE, "search": C.OPERATIONAL}),
        (at(3), P.MONITORING, {}),
    )
    assert i.component_slugs() == ("search", "refunds")
    assert (i.started_at, i.updated_at, i.monitoring_at, i.resolved_at) == (at(1), at(3), at(2), None)
