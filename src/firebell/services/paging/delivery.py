"""What the Slack side needs to deliver a page DM: the page as it stands now (nothing is sent for a page that is
over), and the outcome of the delivery (sent, or unreachable: the escalation moves on at once)."""

from dataclasses import dataclass

from sqlalchemy import select, update

from firebell.domain.errors import UsageError
from firebell.domain.lifecycle import Status
from firebell.domain.oncall.escalation import Position
from firebell.domain.paging import PageStatus, PageTarget, by_hand
from firebell.domain.timeline import EventKind
from firebell.services.context import Context
from firebell.services.paging.records import post_notice, settle_dms
from firebell.services.paging.targets import route
from firebell.services.timeline import record_event
from firebell.store.database import PAGES_DUE
from firebell.store.models import Incident
from firebell.store.paging_models import Page, PageNotification

_OPEN = (Status.INVESTIGATING.value, Status.MITIGATED.value)


@dataclass(frozen=True)
class PageDm:
    """A page as its DM shows it."""

    page_id: int
    incident_number: int
    title: str
    severity: str
    service: str | None
    channel_id: str | None
    paged_by: str | None
    reason: str | None
    via: str
    round: int
    step: int
    status: PageStatus
    acknowledged_by: str | None
    recipient: str | None = None  # whose DM this is


def _dm(page: Page, incident: Incident, *, user: str, via: str, round: int, step: int, status: PageStatus) -> PageDm:
    return PageDm(
        page_id=page.id,
        incident_number=incident.number,
        title=incident.title,
        severity=incident.severity,
        service=page.service or incident.service,
        channel_id=incident.channel_id,
        paged_by=page.paged_by,
        reason=page.reason,
        via=via,
        round=round,
        step=step,
        status=status,
        acknowledged_by=page.acknowledged_by,
        recipient=user,
    )


def page_dm(ctx: Context, page_id: int, user: str, round: int, step: int) -> PageDm | None:
    """The DM to send `user` for this step of the page; None when nothing should be sent any more (the incident is
    resolved, the page ended, or someone acknowledged it before the DM went out)."""
    with ctx.db.read() as session:
        row = session.execute(
            select(Page, Incident).join(Incident, Incident.id == Page.incident_id).where(Page.id == page_id)
        ).first()
        via = session.scalar(
            select(PageNotification.via)
            .where(PageNotification.page_id == page_id, PageNotification.user_id == user)
            .order_by(PageNotification.id.desc())
            .limit(1)
        )
    if row is None:
        return None
    page, incident = row
    if incident.status not in _OPEN or page.status in (PageStatus.CANCELLED.value, PageStatus.ACKNOWLEDGED.value):
        return None
    return _dm(
        page, incident, user=user, via=via or page.target, round=round, step=step, status=PageStatus(page.status)
    )


def settled_dm(ctx: Context, notification_id: int) -> tuple[PageDm, str, str] | None:
    """A sent DM as it should read now that its page is over, with its channel and ts; None when the page is
    escalating again (its buttons stay) or the DM was never sent."""
    with ctx.db.read() as session:
        row = session.execute(
            select(PageNotification, Page, Incident)
            .join(Page, Page.id == PageNotification.page_id)
            .join(Incident, Incident.id == PageNotification.incident_id)
            .where(PageNotification.id == notification_id)
        ).first()
    if row is None:
        return None
    notification, page, incident = row
    over = page.status in (PageStatus.ACKNOWLEDGED.value, PageStatus.CANCELLED.value) or incident.status not in _OPEN
    if not over or notification.dm_channel is None or notification.dm_ts is None:
        return None
    status = PageStatus(page.status) if incident.status in _OPEN else PageStatus.CANCELLED
    dm = _dm(
        page,
        incident,
        user=notification.user_id,
        via=notification.via,
        round=notification.round,
        step=notification.step,
        status=status,
    )
    return dm, notification.dm_channel, notification.dm_ts


def mark_sent(
    ctx: Context, page_id: int, user: str, round: int, step: int, *, channel: str | None = None, ts: str | None = None
) -> None:
    """The DM reached Slack (in `channel` as `ts`). A page that ended while the DM was on its way has it edited
    at once, as the others were."""
    this_dm = (
        PageNotification.page_id == page_id,
        PageNotification.user_id == user,
        PageNotification.round == round,
        PageNotification.step == step,
    )
    with ctx.db.transaction(background=True) as session:
        if ts is not None:
            session.execute(
                update(PageNotification)
                .where(*this_dm)
                .values(dm_channel=channel, dm_ts=ts)
                .execution_options(synchronize_session=False)
            )
            row = session.execute(
                select(Page, Incident).join(Incident, Incident.id == Page.incident_id).where(Page.id == page_id)
            ).first()
            if row is not None:
                page, incident = row
                if page.status in (PageStatus.ACKNOWLEDGED.value, PageStatus.CANCELLED.value):
                    settle_dms(session, page, incident, now=ctx.clock(), skip_user=None)
        session.execute(
            update(PageNotification)
            .where(*this_dm, PageNotification.outcome == "queued")
            .values(outcome="sent")
            .execution_options(synchronize_session=False)
        )


def mark_unreachable(ctx: Context, page_id: int, user: str, round: int, step: int, *, error: str) -> None:
    """Slack refused the DM for good (deactivated, cannot_dm_bot): the war room is told, and when nobody on the
    page's current step can be reached, the escalation moves on at once instead of waiting out the step."""
    with ctx.db.transaction(background=True) as session:
        page = session.scalar(select(Page).where(Page.id == page_id).with_for_update())
        if page is None:
            return
        incident = session.get(Incident, page.incident_id)
        assert incident is not None
        changed = session.execute(
            update(PageNotification)
            .where(
                PageNotification.page_id == page_id,
                PageNotification.user_id == user,
                PageNotification.round == round,
                PageNotification.step == step,
                PageNotification.outcome != "unreachable",
            )
            .values(outcome="unreachable", error=error[:120])
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if not changed:
            return
        now = ctx.clock()
        data = {"page_id": page.id, "user": user, "error": error[:120], "round": round + 1, "step": step + 1}
        record_event(
            session,
            incident,
            kind=EventKind.PAGE_UNREACHABLE,
            at=now,
            actor=None,
            text=f"Could not page {user} in Slack ({error[:120]})",
            data=data,
        )
        post_notice(
            session,
            incident,
            notice="page_unreachable",
            key=f"page:{page.id}:unreachable:{round}:{step}:{user}",
            now=now,
            data=data,
        )
        if page.status != PageStatus.ACTIVE.value or (page.round, page.step) != (round, step):
            return
        outcomes = session.scalars(
            select(PageNotification.outcome).where(
                PageNotification.page_id == page.id,
                PageNotification.epoch == page.epoch,
                PageNotification.round == round,
                PageNotification.step == step,
            )
        ).all()
        if any(o != "unreachable" for o in outcomes):
            return  # someone on this step may still answer
        try:
            found = route(ctx.policy, PageTarget.parse(page.target))
        except (UsageError, ValueError):
            page.next_due_at, page.revision = now, page.revision + 1  # the pager ends it, saying why
            session.info[PAGES_DUE] = True
            return
        step = min(page.step, len(found.steps) - 1)  # the policy may have lost steps since
        moved = by_hand(found.steps, found.repeat, Position(page.round, step, page.step_since), now)
        if moved.exhausted:
            page.next_due_at = now  # the pager sees the last step's people unreachable and gives up, saying so
            page.step_since = now - found.steps[step].wait
        else:
            page.round, page.step, page.step_since = moved.position.round, moved.position.step, now
            page.notified, page.next_due_at = False, now
        page.revision += 1
        session.info[PAGES_DUE] = True
