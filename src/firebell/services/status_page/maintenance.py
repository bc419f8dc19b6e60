"""Scheduled maintenance of status-page components: schedule, list, and cancel or end early.

A maintenance's status follows the clock (domain/status_page/maintenance.py); nothing ticks to change it. Every
change bumps the page revision in its own transaction, and queues what it wants told: the announcement channel
(when one is configured) and the Statuspage bridge (when configured), through the outbox.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from firebell.domain.errors import FirebellError, UsageError
from firebell.domain.policy import Policy
from firebell.domain.status_page.maintenance import check_window, clean_text, maintenance_status
from firebell.domain.status_page.vocabulary import MaintenanceStatus
from firebell.services.context import Context
from firebell.services.effects import EffectKind, enqueue
from firebell.services.status_page.publishing import new_public_id
from firebell.services.status_page.revision import bump_revision
from firebell.services.status_page.statuspage_sync import enqueue_maintenance_sync
from firebell.store.models import StatusMaintenance

MAX_LISTED = 200
ANNOUNCE_LANE = "status:maintenance:announce"


class MaintenanceNotFound(FirebellError):
    """No maintenance with that id."""


class NoComponents(FirebellError):
    """The status page has no components configured: nothing can be put in maintenance."""


@dataclass(frozen=True)
class MaintenanceView:
    """A maintenance as recorded, with its status at the time it was read."""

    public_id: str
    title: str
    body: str
    components: tuple[str, ...]  # slugs
    component_names: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    status: MaintenanceStatus
    created_by: str
    created_at: datetime
    cancelled_at: datetime | None
    cancelled_by: str | None


def maintenance_view(policy: Policy, row: StatusMaintenance, now: datetime) -> MaintenanceView:
    """A stored maintenance as shown (its status at `now`)."""
    names = {c.slug: c.name for c in policy.status_page.components}
    return MaintenanceView(
        public_id=row.public_id,
        title=row.title,
        body=row.body,
        components=tuple(row.components),
        component_names=tuple(names.get(slug, slug) for slug in row.components),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        status=maintenance_status(row.starts_at, row.ends_at, row.cancelled_at, now),
        created_by=row.created_by,
        created_at=row.created_at,
        cancelled_at=row.cancelled_at,
        cancelled_by=row.cancelled_by,
    )


def require_components(policy: Policy) -> None:
    """NoComponents when the status page has no components configured."""
    if not policy.status_page.components:
        raise NoComponents(
            "No status-page components are configured (status_page.components in the policy file), "
            "so there is nothing to put in maintenance."
        )


def resolve_components(policy: Policy, tokens: "list[str] | tuple[str, ...]") -> list[str]:
    """The slugs of the components named (by slug or name, each once); UsageError naming the valid ones."""
    config = policy.status_page
    require_components(policy)
    slugs: list[str] = []
    for token in tokens:
        try:
            slug = config.component(token).slug
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if slug not in slugs:
            slugs.append(slug)
    if not slugs:
        valid = ", ".join(c.slug for c in config.components)
        raise UsageError(f"Name at least one component to put in maintenance. Components: {valid}.")
    return slugs


def schedule_maintenance(
    ctx: Context,
    *,
    components: "list[str] | tuple[str, ...]",
    starts_at: datetime,
    ends_at: datetime,
    title: str,
    body: str,
    by: str,
) -> MaintenanceView:
    """Schedule maintenance of components over [starts_at, ends_at); UsageError (nothing changed) when a component
    is unknown, the window is backwards, in the past or too long, or the text is missing or too long."""
    now = ctx.clock()
    slugs = resolve_components(ctx.policy, components)
    title, body = clean_text(title, body)
    check_window(starts_at, ends_at, now)
    with ctx.db.transaction() as session:
        row = StatusMaintenance(
            public_id=new_public_id(),
            title=title,
            body=body,
            components=slugs,
            starts_at=starts_at,
            ends_at=ends_at,
            created_by=by,
            created_at=now,
        )
        session.add(row)
        session.flush()
        view = maintenance_view(ctx.policy, row, now)
        _changed(session, ctx.policy, view, now, event="scheduled")
        return view


def list_maintenances(ctx: Context, *, everything: bool = False) -> list[MaintenanceView]:
    """Maintenance not yet over (scheduled and in progress) by start; with `everything`, also completed and
    cancelled ones, newest start first (at most MAX_LISTED)."""
    now = ctx.clock()
    query = select(StatusMaintenance)
    if everything:
        query = query.order_by(StatusMaintenance.starts_at.desc(), StatusMaintenance.id.desc())
    else:
        query = query.where(
            StatusMaintenance.ends_at > now,
            or_(StatusMaintenance.cancelled_at.is_(None), StatusMaintenance.cancelled_at > now),
        ).order_by(StatusMaintenance.starts_at, StatusMaintenance.id)
    with ctx.db.read() as session:
        return [maintenance_view(ctx.policy, row, now) for row in session.scalars(query.limit(MAX_LISTED))]


def cancel_maintenance(ctx: Context, public_id: str, *, by: str) -> MaintenanceView:
    """Call off a scheduled maintenance, or end one in progress now (kept, with who and when);
    MaintenanceNotFound for an unknown id, UsageError when it is over already."""
    now = ctx.clock()
    wanted = public_id.strip().lower()
    with ctx.db.transaction() as session:
        row = session.scalar(
            select(StatusMaintenance).where(StatusMaintenance.public_id == wanted[:16]).with_for_update()
        )
        if row is None:
            shown = public_id if len(public_id) <= 20 else f"{public_id[:20]}…"
            raise MaintenanceNotFound(f"No maintenance {shown!r}. `/incident maintenance` lists them with their ids.")
        before = maintenance_status(row.starts_at, row.ends_at, row.cancelled_at, now)
        if before is MaintenanceStatus.COMPLETED:
            how = "cancelled" if row.cancelled_at is not None else "completed"
            raise UsageError(f"Maintenance {row.public_id} ({row.title}) is over already ({how}); nothing changed.")
        row.cancelled_at, row.cancelled_by = now, by
        session.flush()
        view = maintenance_view(ctx.policy, row, now)
        event = "ended" if before is MaintenanceStatus.IN_PROGRESS else "cancelled"
        _changed(session, ctx.policy, view, now, event=event)
        return view


def _changed(session: Session, policy: Policy, view: MaintenanceView, now: datetime, *, event: str) -> None:
    """What every change of a maintenance wants, in its transaction: the page revision, the announcement, the
    bridge."""
    bump_revision(session, now)
    enqueue_maintenance_sync(session, policy, view, now=now, event=event)
    announce_maintenance(session, policy, view, now, event=event)


def announce_maintenance(session: Session, policy: Policy, view: MaintenanceView, now: datetime, *, event: str) -> None:
    """Tell the announcement channel (if there is one) about a maintenance: `scheduled`, `cancelled`, `ended`
    (early, by hand), or `started` and `completed` (by the clock); once per maintenance and event."""
    if not policy.announcement_channel:
        return
    enqueue(
        session,
        kind=EffectKind.POST_MAINTENANCE,
        lane=ANNOUNCE_LANE,
        key=f"status:maintenance:{view.public_id}:announce:{event}",
        now=now,
        payload={
            "event": event,
            "public_id": view.public_id,
            "title": view.title,
            "body": view.body,
            "components": list(view.component_names),
            "starts_at": view.starts_at.isoformat(),
            "ends_at": view.ends_at.isoformat(),
            "by": view.created_by if event == "scheduled" else view.cancelled_by,
            "timezone": policy.status_page.timezone,
        },
        dedupe=True,
    )
