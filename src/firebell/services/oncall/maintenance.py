"""Maintenance windows of services: while one is open, alerts and declares are recorded as usual but nobody is
paged; paging resumes when it ends.

Windows are data (`/oncall maintenance`), each kept with who made it and, when ended early, who ended it and
when. Windows of one service may overlap (someone extends a window by making a longer one): a service is in
maintenance until the last of the windows that follow on from each other ends.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from firebell.domain.errors import FirebellError, UsageError
from firebell.domain.oncall.config import Service
from firebell.services.context import Context
from firebell.store.database import PAGES_DUE
from firebell.store.models import MaintenanceWindow, Page

MAX_LENGTH = timedelta(days=30)


class ServiceNotFound(FirebellError):
    """No service of that name in the policy."""


@dataclass(frozen=True)
class WindowView:
    """A maintenance window as recorded; `ends` is when it ends (or ended, when ended early)."""

    id: int
    service: str
    start: datetime
    end: datetime
    planned_end: datetime
    created_by: str
    created_at: datetime
    ended_by: str | None
    ended_at: datetime | None

    @classmethod
    def of(cls, row: MaintenanceWindow) -> "WindowView":
        """From its row."""
        return cls(
            id=row.id,
            service=row.service,
            start=row.starts_at,
            end=row.ends_at,
            planned_end=row.planned_end,
            created_by=row.created_by,
            created_at=row.created_at,
            ended_by=row.ended_by,
            ended_at=row.ended_at,
        )


def service_config(ctx: Context, name: str) -> Service:
    """The service of this name in the policy; ServiceNotFound naming the ones there are."""
    found = next((s for s in ctx.policy.oncall.services if s.name == name), None)
    if found is None:
        names = ", ".join(s.name for s in ctx.policy.oncall.services) or "none are configured (services in the policy)"
        shown = name if len(name) <= 60 else f"{name[:60]}…"
        raise ServiceNotFound(f"No service {shown!r}. Services: {names}.")
    return found


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def start_maintenance(ctx: Context, service: str, start: datetime, end: datetime, *, by: str) -> WindowView:
    """Put `service` in maintenance over [start, end); refused (UsageError) when the window is backwards, in the
    past or longer than MAX_LENGTH."""
    service_config(ctx, service)
    now = ctx.clock()
    if end <= now:
        raise UsageError(f"The maintenance window lies in the past: it ends at {_when(end)}; it is now {_when(now)}.")
    if end <= start:
        raise UsageError(f"The maintenance window ends ({_when(end)}) before it starts ({_when(start)}).")
    if end - start > MAX_LENGTH:
        raise UsageError(
            f"The maintenance window lasts {(end - start).days} days; at most {MAX_LENGTH.days} days "
            "(a service that long without paging should leave its escalation policy instead)."
        )
    with ctx.db.transaction() as session:
        row = MaintenanceWindow(
            service=service, starts_at=start, ends_at=end, planned_end=end, created_by=by, created_at=now
        )
        session.add(row)
        session.flush()
        return WindowView.of(row)


def list_maintenance(ctx: Context, service: str | None = None) -> list[WindowView]:
    """Windows that have not ended (of `service`, or of every service), by start."""
    if service is not None:
        service_config(ctx, service)
    query = select(MaintenanceWindow).where(MaintenanceWindow.ends_at > ctx.clock())
    if service is not None:
        query = query.where(MaintenanceWindow.service == service)
    query = query.order_by(MaintenanceWindow.starts_at, MaintenanceWindow.id)
    with ctx.db.read() as session:
        return [WindowView.of(r) for r in session.scalars(query)]


def end_maintenance(ctx: Context, service: str, *, by: str) -> list[WindowView]:
    """End `service`'s maintenance now: open windows end now, planned ones are called off (both kept, with who
    ended them). Returns the windows changed (none: it was not in maintenance and none was planned)."""
    service_config(ctx, service)
    now = ctx.clock()
    with ctx.db.transaction() as session:
        rows = list(
            session.scalars(
                select(MaintenanceWindow)
                .where(MaintenanceWindow.service == service, MaintenanceWindow.ends_at > now)
                .order_by(MaintenanceWindow.starts_at)
            )
        )
        for row in rows:
            row.ends_at = max(row.starts_at, now)
            row.ended_by, row.ended_at = by, now
        if rows:  # pages held until the old end resume now (the pager, woken on commit, says so in the war room)
            held = session.execute(
                update(Page)
                .where(Page.service == service, Page.status == "active", Page.held_until.is_not(None))
                .values(next_due_at=now, revision=Page.revision + 1)
                .execution_options(synchronize_session=False)
            )
            if held.rowcount:  # type: ignore[attr-defined]
                session.info[PAGES_DUE] = True
        return [WindowView.of(r) for r in rows]


def maintenance_until(session: Session, service: str, at: datetime) -> datetime | None:
    """When the maintenance window of `service` open at `at` ends (None: not in maintenance at `at`); windows that
    overlap or follow on without a gap count as one."""
    rows = session.execute(
        select(MaintenanceWindow.starts_at, MaintenanceWindow.ends_at)
        .where(MaintenanceWindow.service == service, MaintenanceWindow.ends_at > at)
        .order_by(MaintenanceWindow.starts_at)
    ).all()
    if not any(start <= at for start, _ in rows):
        return None
    until = at
    for start, end in rows:  # by start: each that begins by `until` carries it on
        if start > until:
            break
        until = max(until, end)
    return until
