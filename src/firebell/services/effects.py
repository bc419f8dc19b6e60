"""Enqueue Slack effects in the outbox, in the same transaction as the change that wants them."""

import uuid
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from firebell.store.database import EFFECTS_ADDED
from firebell.store.inserts import insert_ignoring_duplicates, insert_once
from firebell.store.models import Effect, Incident, TimelineEvent


class EffectKind(StrEnum):
    """What the gateway knows how to deliver."""

    CREATE_CHANNEL = "create_channel"
    INVITE = "invite"
    SYNC_TOPIC = "sync_topic"
    POST_KICKOFF = "post_kickoff"
    PIN_KICKOFF = "pin_kickoff"
    SYNC_KICKOFF = "sync_kickoff"
    ADD_BOOKMARK = "add_bookmark"
    POST_ANNOUNCEMENT = "post_announcement"
    SYNC_ANNOUNCEMENT = "sync_announcement"
    POST_NOTICE = "post_notice"
    RESPOND = "respond"
    EPHEMERAL = "ephemeral"
    CAPTURE_PIN = "capture_pin"
    POST_REMINDER = "post_reminder"
    POST_POSTMORTEM = "post_postmortem"
    POST_RUNBOOK = "post_runbook"
    SYNC_RUNBOOK = "sync_runbook"
    DM = "dm"
    SYNC_TRIAGE = "sync_triage"  # an alert group's triage message: posted, then edited (no incident)
    POST_ALERT_NOTE = "post_alert_note"  # coalesced: "3 more alerts, 2 resolved", rendered at delivery
    PAGE_DM = "page_dm"  # a person paged: the DM with Acknowledge / I can't, rendered from the page at delivery
    NOTIFY = "notify"  # a page event for an outside notifier (webhook, ntfy, PagerDuty): HTTP, not Slack
    SETTLE_PAGE_DM = "settle_page_dm"  # a page DM sent earlier, edited once the page is over: no buttons left
    POST_MAINTENANCE = "post_maintenance"  # status-page maintenance scheduled or cancelled: the announcement channel
    STATUSPAGE = "statuspage"  # a public incident or maintenance for the Atlassian Statuspage bridge: HTTP, not Slack
    POST_PUBLIC_REMINDER = "post_public_reminder"  # the public cadence: the status page is due an update


# The notice telling a war room that an effect failed for good (never itself followed by another).
FAILURE_NOTICE = "delivery_failed"


class Urgency(IntEnum):
    """Which effects a claim serves first (lower first)."""

    NOW = 0  # someone waits for it or must be told now: the war room and kick-off, answers, reminders (soon pages)
    SOON = 1  # the rest of a declare people see: invitations, the announcement and its thread
    SETUP = 2  # cosmetic set-up that can wait behind both: topic, pin, bookmark, edits of earlier posts


# Set-up that can wait. Every lane holds effects of one urgency (edits have lanes of their own), so an
# urgent effect is never stuck behind set-up at the head of its lane.
SETUP_KINDS = frozenset(
    {
        EffectKind.SYNC_TOPIC,
        EffectKind.PIN_KICKOFF,
        EffectKind.SYNC_KICKOFF,
        EffectKind.ADD_BOOKMARK,
        EffectKind.SYNC_ANNOUNCEMENT,
        EffectKind.CAPTURE_PIN,
        EffectKind.POST_POSTMORTEM,
        EffectKind.DM,
        EffectKind.SETTLE_PAGE_DM,
    }
)
# Posts in the announcement channel: Slack allows about one a second there, so a burst of declares
# queues them, and they must not hold up the war rooms. Their lane (the announcement and its thread,
# where an escalating reminder is broadcast too) is all SOON; the room's own reminder stays NOW.
_ANNOUNCEMENT_TARGETS = frozenset({"announcement_thread", "announcement"})


def urgency_of(kind: EffectKind, payload: dict[str, Any] | None = None) -> Urgency:
    """How soon an effect of this kind (with this payload) must go out."""
    if kind in SETUP_KINDS:
        return Urgency.SETUP
    if kind in (EffectKind.INVITE, EffectKind.POST_ANNOUNCEMENT, EffectKind.POST_MAINTENANCE):
        return Urgency.SOON
    if kind in (EffectKind.POST_NOTICE, EffectKind.POST_REMINDER, EffectKind.POST_PUBLIC_REMINDER) and (
        payload or {}
    ).get("target") in (_ANNOUNCEMENT_TARGETS):
        return Urgency.SOON
    return Urgency.NOW


class Target(StrEnum):
    """Where a notice goes."""

    ROOM = "room"
    ANNOUNCEMENT_THREAD = "announcement_thread"


class EffectStatus(StrEnum):
    """Outbox row states."""

    PENDING = "pending"
    DONE = "done"
    DEAD = "dead"


# What an effect waits for: an incident column an earlier effect fills in, and which effects fill it.
NEED_PRODUCERS: dict[str, tuple[EffectKind, ...]] = {
    "channel_id": (EffectKind.CREATE_CHANNEL,),
    "kickoff_ts": (EffectKind.CREATE_CHANNEL, EffectKind.POST_KICKOFF),
    "announcement_ts": (EffectKind.CREATE_CHANNEL, EffectKind.POST_ANNOUNCEMENT),
}


def needs_of(kind: EffectKind, payload: dict[str, Any]) -> str | None:
    """The incident column this effect cannot run without (None: it can run at once)."""
    target = payload.get("target")
    if kind in (
        EffectKind.CREATE_CHANNEL,
        EffectKind.CAPTURE_PIN,
        EffectKind.EPHEMERAL,
        EffectKind.DM,
        EffectKind.SYNC_TRIAGE,
        EffectKind.PAGE_DM,
        EffectKind.NOTIFY,
        EffectKind.POST_MAINTENANCE,
        EffectKind.STATUSPAGE,
    ):
        return None
    if kind in (EffectKind.POST_REMINDER, EffectKind.POST_PUBLIC_REMINDER) and target == "dm":
        return None
    if kind == EffectKind.RESPOND and payload.get("message") in ("war_room_failed", "declared"):
        return None
    if kind in (EffectKind.PIN_KICKOFF, EffectKind.SYNC_KICKOFF):
        return "kickoff_ts"
    if kind == EffectKind.SYNC_ANNOUNCEMENT or (
        kind in (EffectKind.POST_NOTICE, EffectKind.POST_REMINDER, EffectKind.POST_PUBLIC_REMINDER)
        and target in (Target.ANNOUNCEMENT_THREAD, "announcement")
    ):
        return "announcement_ts"
    return "channel_id"


def lane(incident: Incident, name: str) -> str:
    """Effects in one lane are delivered one at a time, in order; lanes run concurrently."""
    return f"inc:{incident.id}:{name}"


def effect_row(
    *, kind: EffectKind, lane: str, key: str, now: datetime, incident_id: int | None, payload: dict[str, Any]
) -> dict[str, Any]:
    """The columns of a new outbox row, for enqueue_many."""
    return {
        "incident_id": incident_id,
        "lane": lane,
        "kind": kind.value,
        "payload": payload,
        "needs": needs_of(kind, payload),
        "urgency": int(urgency_of(kind, payload)),
        "idem_key": key,
        "status": EffectStatus.PENDING.value,
        "attempts": 0,
        "uncertain": False,
        "next_attempt_at": now,
        "created_at": now,
    }


def enqueue_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Add many effects in one statement (the scheduler's batches); a key queued already is skipped,
    so one duplicate can never roll back, and so stall, a whole batch."""
    if rows:
        insert_ignoring_duplicates(session, Effect, rows)
        session.info[EFFECTS_ADDED] = True


def enqueue(
    session: Session,
    *,
    kind: EffectKind,
    lane: str,
    key: str,
    now: datetime,
    incident: Incident | None = None,
    payload: dict[str, Any] | None = None,
    dedupe: bool = False,
) -> Effect | None:
    """Add an effect to the outbox; with dedupe, an effect whose key exists already is skipped (None)."""
    effect = Effect(
        incident_id=incident.id if incident is not None else None,
        lane=lane,
        kind=kind.value,
        payload=payload or {},
        needs=needs_of(kind, payload or {}),
        urgency=int(urgency_of(kind, payload)),
        idem_key=key,
        status=EffectStatus.PENDING.value,
        attempts=0,
        uncertain=False,
        next_attempt_at=now,
        created_at=now,
    )
    session.info[EFFECTS_ADDED] = True
    if not dedupe:
        session.add(effect)
        return effect
    return insert_once(session, effect, existing=select(Effect.id).where(Effect.idem_key == key))


def enqueue_notice(
    session: Session,
    incident: Incident,
    event: TimelineEvent,
    *,
    notice: str,
    now: datetime,
    targets: tuple[Target, ...] = (Target.ROOM,),
    data: dict[str, Any] | None = None,
    announcements: bool = True,
) -> None:
    """Post a message about a timeline event in the war room and/or the announcement's thread."""
    if not announcements:
        targets = tuple(t for t in targets if t is not Target.ANNOUNCEMENT_THREAD)
    state = {
        "number": incident.number,
        "severity": incident.severity,
        "status": incident.status,
        "commander": next((r.user_id for r in incident.roles if r.role == "commander"), incident.declared_by),
    }
    for target in targets:
        lane_name = "room" if target is Target.ROOM else "announce"
        enqueue(
            session,
            kind=EffectKind.POST_NOTICE,
            lane=lane(incident, lane_name),
            key=f"inc:{incident.id}:event:{event.id}:{target.value}",
            now=now,
            incident=incident,
            payload={"notice": notice, "target": target.value, "event_id": event.id, **state, **(data or {})},
        )


def enqueue_sync(
    session: Session, incident: Incident, *, now: datetime, kickoff: bool = True, announcements: bool = True
) -> None:
    """Re-render what shows an incident's current state: the topic, the kick-off and the announcement."""
    # Edits have lanes of their own: set-up, they must not hold up the room's or the announcement's posts.
    kinds = [(EffectKind.SYNC_TOPIC, "topic")]
    if announcements:
        kinds.append((EffectKind.SYNC_ANNOUNCEMENT, "announce-edit"))
    if kickoff:
        kinds.append((EffectKind.SYNC_KICKOFF, "kickoff-edit"))
    for kind, lane_name in kinds:
        enqueue(
            session,
            kind=kind,
            lane=lane(incident, lane_name),
            key=f"inc:{incident.id}:{kind.value}:{uuid.uuid4().hex}",
            now=now,
            incident=incident,
        )
