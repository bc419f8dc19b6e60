"""Starting and ending pages. A page is a row whose escalation position is data (services/paging/claims.py moves
it): starting one inside the declare's (or the webhook's) own transaction commits it with the incident, and the
pager, woken on commit, notifies its first step at once."""

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from firebell.domain.errors import UsageError
from firebell.domain.paging import NotifyEvent, PageStatus, PageTarget, TargetKind
from firebell.domain.policy import Policy
from firebell.domain.timeline import EventKind
from firebell.services.context import Context
from firebell.services.paging.records import page_notice, post_notice, settle_dms, tell_notifiers
from firebell.services.paging.targets import route
from firebell.services.timeline import record_event
from firebell.store.database import PAGES_DUE
from firebell.store.models import Incident
from firebell.store.paging_models import Page, PageNotification

OPEN_PAGES = (PageStatus.ACTIVE.value, PageStatus.ACKNOWLEDGED.value, PageStatus.EXHAUSTED.value)


def start_page(
    session: Session,
    policy: Policy,
    incident: Incident,
    target: PageTarget,
    *,
    now: datetime,
    reason: str | None = None,
    paged_by: str | None = None,
    commanders: bool = False,
) -> Page:
    """Start paging `target` for `incident` in the caller's transaction; UsageError when it cannot be paged.
    The pager notifies the first step right after the transaction commits."""
    found = route(policy, target)
    page = Page(
        incident_id=incident.id,
        target=str(target),
        service=target.name if target.kind is TargetKind.SERVICE else None,
        policy=found.policy,
        reason=reason,
        paged_by=paged_by,
        commanders=commanders,
        created_at=now,
        status=PageStatus.ACTIVE.value,
        epoch=0,
        round=0,
        step=0,
        step_since=now,
        notified=False,
        next_due_at=now,
        revision=0,
    )
    session.add(page)
    session.flush()
    what = f"escalation policy {found.policy}" if found.policy else str(target)
    record_event(
        session,
        incident,
        kind=EventKind.PAGED,
        at=now,
        actor=paged_by,
        text=f"Paging {target.name} ({what})" + (f": {reason}" if reason else ""),
        data={"page_id": page.id, "target": str(target), "policy": found.policy, "reason": reason},
    )
    post_notice(
        session,
        incident,
        notice="page_started",
        key=f"page:{page.id}:started",
        now=now,
        data={"page_id": page.id, "page_target": str(target), "reason": reason, "paged_by": paged_by},
    )
    session.info[PAGES_DUE] = True
    return page


def pages_for_declare(session: Session, policy: Policy, incident: Incident, *, now: datetime) -> list[Page]:
    """The pages a declare starts: its service's escalation policy at or above `paging.page_on_declare`, and the
    `paging.incident_commanders` schedule for the most severe level (whoever acknowledges becomes the IC)."""
    pages: list[Page] = []
    rule = policy.paging.page_on_declare
    service = next((s for s in policy.services if s.name == incident.service), None)
    if (
        rule is not None
        and service is not None
        and service.escalation_policy is not None
        and policy.rank(incident.severity) <= policy.rank(rule)
    ):
        target = PageTarget(TargetKind.SERVICE, service.name)
        pages.append(start_page(session, policy, incident, target, now=now, reason=f"{incident.severity} declared"))
    commanders = policy.paging.incident_commanders
    if commanders is not None and policy.rank(incident.severity) == 0:
        target = PageTarget(TargetKind.SCHEDULE, commanders)
        reason = f"{incident.severity} declared: an Incident Commander is needed"
        pages.append(start_page(session, policy, incident, target, now=now, reason=reason, commanders=True))
    return pages


def cancel_pages(session: Session, policy: Policy, incident: Incident, *, now: datetime) -> int:
    """The incident is resolved: every page of it ends; nothing pending is sent (the DM delivery checks the page).
    Notifiers that were told of a page are told it is resolved. Returns how many pages were still escalating."""
    pages = list(
        session.scalars(
            select(Page)
            .where(
                Page.incident_id == incident.id, or_(Page.ended_at.is_(None), Page.status == PageStatus.ACTIVE.value)
            )
            .with_for_update()
        )
    )
    escalating = [p for p in pages if p.status == PageStatus.ACTIVE.value]
    told = set(
        session.scalars(
            select(PageNotification.page_id).where(PageNotification.page_id.in_([p.id for p in pages])).distinct()
        )
    )
    for page in pages:
        settle = page.status in (PageStatus.ACTIVE.value, PageStatus.EXHAUSTED.value)
        if page.status == PageStatus.ACTIVE.value:
            page.status = PageStatus.CANCELLED.value
        page.next_due_at = None
        page.ended_at = now
        page.revision += 1
        if settle:  # DMs still offering Acknowledge say the incident is resolved instead
            settle_dms(session, page, incident, now=now)
        if page.id in told:
            tell_notifiers(session, policy, page_notice(page, incident, NotifyEvent.RESOLVE, at=now), now=now)
    if escalating:
        record_event(
            session,
            incident,
            kind=EventKind.PAGE_ENDED,
            at=now,
            actor=None,
            text="Paging stopped: the incident was resolved",
            data={"pages": [p.id for p in escalating]},
        )
    return len(escalating)


def retarget_pages(ctx: Context) -> int:
    """At start: pages of a service whose escalation policy changed are made due now, so the pager re-targets them
    at once (nobody from the old policy is paged afterwards). Returns how many."""
    now = ctx.clock()
    with ctx.db.read() as session:
        rows = session.execute(
            select(Page.id, Page.target, Page.policy).where(
                Page.status == PageStatus.ACTIVE.value, Page.service.is_not(None)
            )
        ).all()
    moved = []
    for row in rows:
        try:
            current = route(ctx.policy, PageTarget.parse(row.target)).policy
        except (UsageError, ValueError):
            current = None  # the pager ends it, saying why
        if current != row.policy:
            moved.append(row.id)
    if moved:
        with ctx.db.transaction(background=True) as session:
            session.execute(
                update(Page)
                .where(Page.id.in_(moved), Page.status == PageStatus.ACTIVE.value)
                .values(next_due_at=now)
                .execution_options(synchronize_session=False)
            )
            session.info[PAGES_DUE] = True
    return len(moved)
