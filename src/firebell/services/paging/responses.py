"""People answering pages: acknowledge, "I can't", escalate by hand, and paging by hand from a war room.

Each answer locks the incident (services/changes.py) and then its pages, so answers to one incident apply one after
another; moving a page makes it due now (revision bumped), and the pager notifies the step it reached right after
the commit, so every notification of every page comes from one place.
"""

import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from firebell.domain.errors import UsageError
from firebell.domain.lifecycle import Status
from firebell.domain.naming import incident_label
from firebell.domain.oncall.escalation import Position
from firebell.domain.paging import NotifyEvent, PageStatus, PageTarget, by_hand, elapsed
from firebell.domain.timeline import EventKind
from firebell.services.changes import Change, incident_change
from firebell.services.context import Context
from firebell.services.effects import EffectKind
from firebell.services.oncall.maintenance import maintenance_until
from firebell.services.paging.pages import start_page
from firebell.services.paging.records import page_notice, settle_dms, tell_notifiers
from firebell.services.paging.targets import parse_target, route
from firebell.services.roles import take_command
from firebell.store.database import PAGES_DUE
from firebell.store.inserts import insert_once
from firebell.store.models import Incident
from firebell.store.paging_models import Page, PageNotification, PageResponse


@dataclass(frozen=True)
class PageAnswer:
    """What to tell the person who answered (plain text; the Slack side escapes it)."""

    incident_number: int
    page_id: int
    text: str


def _number_of(ctx: Context, page_id: int) -> int:
    with ctx.db.read() as session:
        number = session.scalar(
            select(Incident.number).join(Page, Page.incident_id == Incident.id).where(Page.id == page_id)
        )
    if number is None:
        raise UsageError(f"No page {page_id}.")
    return int(number)


def _pages(change: Change, page_id: int | None, statuses: tuple[PageStatus, ...]) -> list[Page]:
    query = select(Page).where(Page.incident_id == change.incident.id)
    if page_id is not None:
        query = query.where(Page.id == page_id)
    else:
        query = query.where(Page.status.in_([s.value for s in statuses]))
    return list(change.session.scalars(query.order_by(Page.id).with_for_update()))


def _change(ctx: Context, page_id: int | None, channel_id: str | None) -> AbstractContextManager[Change]:
    if page_id is not None:
        return incident_change(ctx, number=_number_of(ctx, page_id))
    if channel_id is None:
        raise UsageError("Say which page: run this in the incident's war room.")
    return incident_change(ctx, channel_id=channel_id)


def _check_open(change: Change) -> None:
    """Paging is for open incidents; anyone in the war room may page or escalate (under-escalation hurts more)."""
    if Status(change.incident.status) not in (Status.INVESTIGATING, Status.MITIGATED):
        label = incident_label(change.incident.number)
        raise UsageError(f"{label} is {change.incident.status}: nobody is paged for it. Reopen it first if it is back.")


def acknowledge(ctx: Context, *, user: str, page_id: int | None = None, channel_id: str | None = None) -> PageAnswer:
    """`user` takes the page (or, in a war room, every page of its incident still waiting): the escalation stops,
    they are invited to the war room, and the war room is told how long it took. Logged once per person."""
    with _change(ctx, page_id, channel_id) as change:
        incident, now = change.incident, change.now
        label = incident_label(incident.number)
        pages = _pages(change, page_id, (PageStatus.ACTIVE, PageStatus.EXHAUSTED, PageStatus.ACKNOWLEDGED))
        if not pages:
            raise UsageError(f"No page of {label} to acknowledge.")
        if all(p.status == PageStatus.CANCELLED.value for p in pages):
            raise UsageError(f"{label} is resolved: its page ended, nothing to acknowledge.")
        if page_id is None and any(not p.commanders for p in pages):
            # `/incident ack` takes the service's page; the Incident Commander page is taken from its own DM.
            pages = [p for p in pages if not p.commanders]
        first_page = change.session.scalar(select(func.min(Page.id)).where(Page.incident_id == incident.id))
        took: list[Page] = []
        for page in pages:
            if page.status == PageStatus.CANCELLED.value:
                continue
            once = PageResponse(
                page_id=page.id,
                incident_id=incident.id,
                user_id=user,
                kind="acknowledge",
                at=now,
                # Once per person while the page stands where it is: after an escalation by hand they may take it again.
                once_key=f"acknowledge:{page.id}:{user}:{page.epoch}:{page.round}:{page.step}",
            )
            first = page.status != PageStatus.ACKNOWLEDGED.value
            logged = insert_once(
                change.session, once, existing=select(PageResponse.id).where(PageResponse.once_key == once.once_key)
            )
            if logged is None and not first:
                continue
            after = now - page.created_at
            if first:
                page.status, page.acknowledged_at, page.acknowledged_by = PageStatus.ACKNOWLEDGED.value, now, user
                page.next_due_at, page.revision = None, page.revision + 1
                tell_notifiers(
                    change.session,
                    ctx.policy,
                    page_notice(page, incident, NotifyEvent.ACKNOWLEDGE, at=now, user=user),
                    now=now,
                )
                if page.id == first_page and incident.acknowledged_at is None:
                    incident.acknowledged_at = now
                # Everyone else paged sees who took it, and has no button left to press.
                settle_dms(change.session, page, incident, now=now, skip_user=user if page_id is not None else None)
            data = {"page_id": page.id, "after_seconds": int(after.total_seconds()), "first": first}
            change.record(
                kind=EventKind.PAGE_ACKNOWLEDGED,
                actor=user,
                text=f"Acknowledged the page ({elapsed(after)})" + ("" if first else ", after someone else had"),
                data=data,
                notice="page_acknowledged",
                notice_data={**data, "user": user},
            )
            change.enqueue(
                EffectKind.INVITE,
                "members",
                key=f"inc:{incident.id}:invite:page:{page.id}:{user}",
                payload={"users": [user]},
                dedupe=True,
            )
            if first and page.commanders:
                take_command(change, user_id=user, actor=user)
            took.append(page)
        if not took:
            return PageAnswer(incident.number, pages[0].id, f"You already acknowledged the page of {label}.")
        page = took[0]
        return PageAnswer(
            incident.number, page.id, f"You acknowledged the page of {label} ({elapsed(now - page.created_at)})."
        )


def _move_on(change: Change, page: Page, *, kind: EventKind, user: str, text: str, notice: str) -> str:
    """Pass `page` to its next step at once (the pager tells them right after the commit); the answer to give."""
    label = incident_label(change.incident.number)
    found = route(change.policy, PageTarget.parse(page.target))
    position = Position(page.round, page.step, page.step_since)
    moved = by_hand(found.steps, found.repeat, position, change.now)
    data = {"page_id": page.id, "round": page.round + 1, "step": page.step + 1}
    if moved.exhausted:
        change.record(
            kind=kind,
            actor=user,
            text=f"{text}; nobody is left to try",
            data=data,
            notice=notice,
            notice_data={**data, "user": user, "exhausted": True},
        )
        return f"Nobody is left to page for {label}: its escalation has run through every step."
    page.status, page.policy = PageStatus.ACTIVE.value, found.policy
    page.round, page.step, page.step_since = moved.position.round, moved.position.step, moved.position.since
    page.notified, page.next_due_at, page.revision = False, change.now, page.revision + 1
    page.ended_at = None  # escalated again after it had ended with an acknowledgement and a resolve
    change.session.info[PAGES_DUE] = True
    nxt: dict[str, Any] = {"to_round": moved.position.round + 1, "to_step": moved.position.step + 1}
    held = maintenance_until(change.session, page.service, change.now) if page.service else None
    if held is not None:  # the pager holds it: say so rather than promise a page now
        when = held.strftime("%Y-%m-%d %H:%M UTC")
        nxt["held_until"] = held.isoformat()
        change.record(
            kind=kind,
            actor=user,
            text=f"{text}: step {nxt['to_step']} is paged when {page.service}'s maintenance ends ({when})",
            data={**data, **nxt},
            notice=notice,
            notice_data={**data, **nxt, "user": user, "service": page.service},
        )
        return (
            f"{page.service} is in maintenance until {when}: step {nxt['to_step']} of the page of {label} is paged "
            "when it ends (end it early with `/oncall maintenance "
            f"{page.service} end`)."
        )
    change.record(
        kind=kind,
        actor=user,
        text=f"{text}: step {nxt['to_step']} is paged now",
        data={**data, **nxt},
        notice=notice,
        notice_data={**data, **nxt, "user": user},
    )
    return f"Step {nxt['to_step']} of the page of {label} is being paged now."


def decline(ctx: Context, *, user: str, page_id: int) -> PageAnswer:
    """ "I can't": the page passes to its next step at once."""
    with _change(ctx, page_id, None) as change:
        label = incident_label(change.incident.number)
        pages = _pages(change, page_id, ())
        if not pages:
            raise UsageError(f"No page {page_id}.")
        page = pages[0]
        if page.status != PageStatus.ACTIVE.value:
            who = f" by {page.acknowledged_by}" if page.acknowledged_by else ""
            state = {"acknowledged": f"was acknowledged{who}", "cancelled": "ended: the incident is resolved"}
            raise UsageError(
                f"The page of {label} {state.get(page.status, 'is no longer escalating')}; nothing to pass on."
            )
        paged_now = change.session.scalar(
            select(PageNotification.id).where(
                PageNotification.page_id == page.id,
                PageNotification.user_id == user,
                PageNotification.epoch == page.epoch,
                PageNotification.round == page.round,
                PageNotification.step == page.step,
            )
        )
        if paged_now is None:
            raise UsageError(
                f"The page of {label} has moved on since you were paged (step {page.step + 1} now): nothing to pass on. "
                "Use Escalate to page the next step anyway."
            )
        once = PageResponse(
            page_id=page.id,
            incident_id=change.incident.id,
            user_id=user,
            kind="cant",
            at=change.now,
            once_key=f"cant:{page.id}:{page.epoch}:{page.round}:{page.step}:{user}",
        )
        if (
            insert_once(
                change.session, once, existing=select(PageResponse.id).where(PageResponse.once_key == once.once_key)
            )
            is None
        ):
            return PageAnswer(change.incident.number, page.id, f"You already passed the page of {label} on.")
        text = _move_on(
            change, page, kind=EventKind.PAGE_DECLINED, user=user, text="Can't take the page", notice="page_declined"
        )
        return PageAnswer(change.incident.number, page.id, text)


def escalate(ctx: Context, *, user: str, page_id: int | None = None, channel_id: str | None = None) -> PageAnswer:
    """Escalate by hand: the next step is paged at once, even after an acknowledgement; its clock starts now."""
    with _change(ctx, page_id, channel_id) as change:
        _check_open(change)
        label = incident_label(change.incident.number)
        pages = _pages(change, page_id, (PageStatus.ACTIVE, PageStatus.ACKNOWLEDGED))
        pages = [p for p in pages if p.status in (PageStatus.ACTIVE.value, PageStatus.ACKNOWLEDGED.value)]
        if not pages:
            raise UsageError(
                f"No page of {label} to escalate. Page someone with `/incident page <service|schedule|@someone>`."
            )
        page = pages[-1]  # the latest page
        change.session.add(
            PageResponse(
                page_id=page.id,
                incident_id=change.incident.id,
                user_id=user,
                kind="escalate",
                at=change.now,
                once_key=f"escalate:{page.id}:{uuid.uuid4().hex}",
            )
        )
        text = _move_on(
            change, page, kind=EventKind.PAGE_ESCALATED, user=user, text="Escalated by hand", notice="page_escalated"
        )
        return PageAnswer(change.incident.number, page.id, text)


def page_by_hand(ctx: Context, *, channel_id: str, actor: str, target: str, message: str | None) -> PageAnswer:
    """`/incident page <service|schedule|policy|@someone> [message]` in a war room."""
    with incident_change(ctx, channel_id=channel_id) as change:
        _check_open(change)
        aimed = parse_target(ctx.policy, target)
        page = start_page(
            change.session, ctx.policy, change.incident, aimed, now=change.now, reason=message, paged_by=actor
        )
        label = incident_label(change.incident.number)
        return PageAnswer(change.incident.number, page.id, f"Paging {aimed.name} for {label} now.")
