"""What a page leaves behind when it moves: notifications with their DM and notifier effects, war-room notices,
notifier events. Written inside the transaction that moved the page, so they commit with the move or not at all."""

from datetime import datetime
from typing import Any

from sqlalchemy import select

from firebell.domain.paging import NotifyEvent, PageNotice, incident_key
from firebell.domain.policy import Policy
from firebell.services.effects import EffectKind, Target, enqueue, enqueue_many, lane
from firebell.services.paging.notifier_effects import notifier_effects
from firebell.store.inserts import insert_ignoring_duplicates
from firebell.store.models import Incident
from firebell.store.paging_models import Page, PageNotification


def room_url(incident: Incident) -> str | None:
    """A link that opens the war room in Slack (None until it exists)."""
    if incident.channel_id is None:
        return None
    return f"https://slack.com/app_redirect?channel={incident.channel_id}"


def page_notice(
    page: Page, incident: Incident, event: NotifyEvent, *, at: datetime, user: str | None = None
) -> PageNotice:
    """The notifier-facing description of a page event."""
    return PageNotice(
        event=event,
        page_id=page.id,
        incident_id=incident.id,
        incident_number=incident.number,
        incident_key=incident_key(incident.id),
        title=incident.title,
        severity=incident.severity,
        service=page.service or incident.service,
        target=page.target,
        reason=page.reason,
        paged_by=page.paged_by,
        user=user,
        round=page.round,
        step=page.step,
        at=at,
        room_url=room_url(incident),
        epoch=page.epoch,
    )


def tell_notifiers(session: Any, policy: Policy, notice: PageNotice, *, now: datetime) -> None:
    """Queue the outside notifiers' effects for a page event."""
    enqueue_many(session, notifier_effects(policy, notice, now=now))


def notify_person(
    session: Any,
    policy: Policy,
    page: Page,
    incident: Incident,
    *,
    user: str,
    via: str,
    now: datetime,
) -> None:
    """Record that `user` is paged at the page's current (epoch, round, step) and queue their DM (urgent, in a
    lane of their own so one person's DMs stay in order) and the notifiers' events."""
    insert_ignoring_duplicates(
        session,
        PageNotification,
        [
            {
                "page_id": page.id,
                "incident_id": incident.id,
                "user_id": user,
                "epoch": page.epoch,
                "round": page.round,
                "step": page.step,
                "via": via,
                "at": now,
                "outcome": "queued",
            }
        ],
    )
    enqueue(
        session,
        kind=EffectKind.PAGE_DM,
        lane=f"page:{user}",
        key=f"page:{page.id}:{page.epoch}:{page.round}:{page.step}:{user}",
        now=now,
        incident=incident,
        payload={"page_id": page.id, "user": user, "epoch": page.epoch, "round": page.round, "step": page.step},
        dedupe=True,
    )
    tell_notifiers(session, policy, page_notice(page, incident, NotifyEvent.NOTIFY, at=now, user=user), now=now)


def settle_dms(session: Any, page: Page, incident: Incident, *, now: datetime, skip_user: str | None = None) -> None:
    """The page is over (acknowledged, or its incident resolved): every DM of it sent so far is edited to say so,
    without buttons (`skip_user`: whose DM already says so, having pressed Acknowledge in it)."""
    rows = session.execute(
        select(PageNotification.id, PageNotification.user_id).where(
            PageNotification.page_id == page.id, PageNotification.dm_ts.is_not(None)
        )
    ).all()
    for row in rows:
        if row.user_id == skip_user:
            continue
        enqueue(
            session,
            kind=EffectKind.SETTLE_PAGE_DM,
            lane=f"page_settle:{row.user_id}",
            key=f"page:{page.id}:settle:{page.revision}:{row.id}",
            now=now,
            incident=incident,
            payload={"notification_id": row.id},
            dedupe=True,
        )


def post_notice(
    session: Any,
    incident: Incident,
    *,
    notice: str,
    key: str,
    now: datetime,
    data: dict[str, Any],
    announce: bool = False,
) -> None:
    """A paging notice in the war room (and with `announce`, in the announcement's thread too)."""
    state = {
        "number": incident.number,
        "severity": incident.severity,
        "status": incident.status,
        "commander": next((r.user_id for r in incident.roles if r.role == "commander"), incident.declared_by),
    }
    targets = [Target.ROOM, Target.ANNOUNCEMENT_THREAD] if announce else [Target.ROOM]
    for target in targets:
        lane_name = "room" if target is Target.ROOM else "announce"
        enqueue(
            session,
            kind=EffectKind.POST_NOTICE,
            lane=lane(incident, lane_name),
            key=f"{key}:{target.value}",
            now=now,
            incident=incident,
            payload={**state, **data, "notice": notice, "target": target.value},
            dedupe=True,
        )


def tried(session: Any, page_id: int) -> list[str]:
    """Everyone a page notified, in the order they were first told."""
    rows = session.execute(
        select(PageNotification.user_id).where(PageNotification.page_id == page_id).order_by(PageNotification.id)
    ).scalars()
    return list(dict.fromkeys(rows))
