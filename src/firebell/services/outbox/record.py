"""Recording what came of delivery attempts, and what people must hear when Slack refuses for good.

An outcome is written only by the process that still holds the effect's claim: if its lease lapsed and
another process took the effect over, that process finds what this attempt did, so this outcome is
dropped. A delivered effect stays claimed until its outcome is written, so the next effect in its lane
cannot start before this one is recorded.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from firebell.domain.timeline import EventKind
from firebell.services.context import Context
from firebell.services.effects import FAILURE_NOTICE, EffectKind, EffectStatus, Target, enqueue, lane
from firebell.services.outbox.claims import EFFECTS
from firebell.services.outbox.outcomes import Delivered, Failed, Job, Outcome, Retry
from firebell.services.timeline import record_event
from firebell.store.conflicts import lost_a_race
from firebell.store.models import Effect, Incident

log = logging.getLogger(__name__)

GIVE_UP_AFTER = timedelta(hours=24)
RECORD_ATTEMPTS = 3


class Recorder:
    """Writes outcomes for the claims of `owner`; `backoff(attempts)` says how long a plain retry waits."""

    def __init__(
        self,
        ctx: Context,
        owner: str,
        *,
        backoff: Callable[[int], float],
        give_up_after: timedelta = GIVE_UP_AFTER,
    ) -> None:
        self.ctx = ctx
        self.owner = owner
        self.backoff = backoff
        self.give_up_after = give_up_after

    def record(self, batch: list[tuple[Job, Outcome]]) -> None:
        """Write a batch of outcomes in one transaction, run again whole if it lost a race on PostgreSQL."""
        for attempt in range(1, RECORD_ATTEMPTS + 1):
            try:
                self._record(batch)
                return
            except DBAPIError as exc:
                if attempt == RECORD_ATTEMPTS or not lost_a_race(exc):
                    raise
                log.info("recording %d outcomes lost a race with another transaction; again", len(batch))

    def _record(self, batch: list[tuple[Job, Outcome]]) -> None:
        now = self.ctx.clock()
        # The common case, delivered with nothing to store on the incident, is one UPDATE for the batch.
        plain = [job for job, outcome in batch if isinstance(outcome, Delivered) and not outcome.incident]
        # The rest touch their incidents: in incident order, as another process's batch does, so that two
        # batches on PostgreSQL wait for each other rather than deadlock.
        plain_ids = {job.id for job in plain}
        rest = sorted(
            (item for item in batch if item[0].id not in plain_ids),
            key=lambda item: (item[0].incident_id or 0, item[0].id),
        )
        with self.ctx.db.transaction(background=True) as session:
            if plain:
                won = set(
                    session.connection()
                    .execute(
                        update(EFFECTS)
                        .where(Effect.id.in_(plain_ids), Effect.claimed_by == self.owner)
                        .values(effect_columns(Delivered(), now=now, delay=0))
                        .returning(Effect.id)
                    )
                    .scalars()
                )
                for job in plain:
                    if job.id not in won:
                        log.warning("effect %s (%s): claim lost; outcome dropped", job.id, job.kind)
            for job, outcome in rest:
                self._record_one(session, job, outcome, now)

    def _record_one(self, session: Session, job: Job, outcome: Outcome, now: datetime) -> None:
        if isinstance(outcome, Retry) and now - job.created_at > self.give_up_after:
            outcome = Failed(error=f"gave up after {self.give_up_after}: {outcome.error}")
        delay = (
            outcome.after if isinstance(outcome, Retry) and outcome.after is not None else self.backoff(job.attempts)
        )
        mine = and_(Effect.id == job.id, Effect.claimed_by == self.owner)
        result = session.connection().execute(
            update(EFFECTS).where(mine).values(**effect_columns(outcome, now=now, delay=delay))
        )
        if result.rowcount != 1:
            log.warning("effect %s (%s): claim lost; outcome dropped", job.id, job.kind)
            return
        if isinstance(outcome, Delivered):
            if outcome.incident and job.incident_id is not None:
                session.execute(
                    update(Incident)
                    .where(Incident.id == job.incident_id)
                    .values(**outcome.incident)
                    .execution_options(synchronize_session=False)
                )
        elif isinstance(outcome, Retry):
            level = logging.ERROR if outcome.alarm else logging.INFO
            log.log(level, "effect %s (%s) will retry in %.1fs: %s", job.id, job.kind, delay, outcome.error)
            if outcome.alarm and job.kind == EffectKind.CREATE_CHANNEL:
                tell_declarer(session, job, outcome.error, now, retrying=True)
        else:
            log.error("effect %s (%s) failed for good: %s", job.id, job.kind, outcome.error)
            record_failure(session, job, outcome, now)
            if job.kind == EffectKind.CREATE_CHANNEL:
                tell_declarer(session, job, outcome.error, now, retrying=False)


def record_failure(session: Session, job: Job, outcome: Failed, now: datetime) -> None:
    """Put an effect that failed for good on its incident's timeline, and say so in its war room."""
    incident = session.get(Incident, job.incident_id) if job.incident_id is not None else None
    if incident is None:
        return
    event = record_event(
        session,
        incident,
        kind=EventKind.SLACK_FAILURE,
        at=now,
        actor=None,
        text=_failure_text(job, outcome),
        data={"effect": job.id, "kind": job.kind, "error": outcome.error},
    )
    if event is None or not _worth_telling_the_room(session, job, incident):
        return
    # Through the outbox like any post, once per thing people asked for (an update posted to the room and
    # the announcement thread is one update). A notice about a failure that itself fails is only
    # recorded: telling the room again would loop.
    source = f"event:{job.payload['event_id']}" if job.payload.get("event_id") else f"effect:{job.id}"
    if job.kind == EffectKind.NOTIFY:  # once per notifier and incident: a wrong key fails every event alike
        source = f"notifier:{job.payload.get('notifier')}"
    enqueue(
        session,
        kind=EffectKind.POST_NOTICE,
        lane=lane(incident, "room"),
        key=f"inc:{incident.id}:failure-notice:{source}",
        now=now,
        incident=incident,
        payload={
            "notice": FAILURE_NOTICE,
            "target": Target.ROOM.value,
            "event_id": event.id,
            "number": incident.number,
            "failed": job.payload.get("notice") or job.kind,
            "error": outcome.error[:200],
            **_notifier_of(job),
        },
        dedupe=True,
    )


def _failure_text(job: Job, outcome: Failed) -> str:
    if job.kind == EffectKind.NOTIFY:  # an outside notifier (its error names it), not Slack
        event = (job.payload.get("page_notice") or {}).get("event", "event")
        return f"A page {event} was not delivered: {outcome.error}"
    return f"Slack refused {job.kind.replace('_', ' ')}: {outcome.error}"


def _notifier_of(job: Job) -> dict[str, str]:
    """For an outside notifier's effect: which notifier, and what it failed to deliver."""
    if job.kind != EffectKind.NOTIFY:
        return {}
    event = str((job.payload.get("page_notice") or {}).get("event", "event"))
    return {"notifier": str(job.payload.get("notifier") or "a notifier"), "page_event": event}


def _worth_telling_the_room(session: Session, job: Job, incident: Incident) -> bool:
    """A war room exists (or is being made: a page's notifier can fail for good before Slack has made the room,
    and the notice then waits for it in the room's lane) to be told, and the failed effect was not itself such
    a notice. An outside notifier that failed for good is told too: someone relying on it for phone calls was
    not reached that way."""
    if job.payload.get("notice") == FAILURE_NOTICE:
        return False
    if incident.channel_id is not None:
        return True
    making = select(Effect.id).where(
        Effect.incident_id == incident.id,
        Effect.kind == EffectKind.CREATE_CHANNEL.value,
        Effect.status == EffectStatus.PENDING.value,
    )
    return session.scalar(making.limit(1)) is not None


def tell_declarer(session: Session, job: Job, error: str, now: datetime, *, retrying: bool) -> None:
    """The declarer was told the war room is on its way: say (once) that Slack refused it."""
    incident = session.get(Incident, job.incident_id) if job.incident_id is not None else None
    if incident is None:
        return
    ready = session.scalar(
        select(Effect).where(Effect.incident_id == incident.id, Effect.kind == EffectKind.RESPOND.value)
    )
    if ready is None or "response_url" not in ready.payload:
        return
    enqueue(
        session,
        kind=EffectKind.RESPOND,
        lane=lane(incident, "respond-failure"),
        key=f"inc:{incident.id}:war_room_failed",
        now=now,
        incident=incident,
        payload={
            "response_url": ready.payload["response_url"],
            "message": "war_room_failed",
            "error": error,
            "retrying": retrying,
        },
        dedupe=True,
    )


def effect_columns(outcome: Outcome, *, now: datetime, delay: float) -> dict[str, Any]:
    """The outbox row's new columns after an attempt (the claim is released in every case)."""
    values: dict[str, Any] = {"claimed_by": None, "claimed_until": None}
    if isinstance(outcome, Delivered):
        values.update(status=EffectStatus.DONE.value, done_at=now, last_error=None)
    elif isinstance(outcome, Retry):
        values.update(next_attempt_at=now + timedelta(seconds=delay), last_error=outcome.error[:500])
        if outcome.uncertain:
            values["uncertain"] = True
        if outcome.payload is not None:
            values["payload"] = outcome.payload
    else:
        values.update(status=EffectStatus.DEAD.value, done_at=now, last_error=outcome.error[:500])
    return values
