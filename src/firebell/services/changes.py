"""A change to one incident: lock it inside a transaction, stamp the time, record and announce what happened."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from firebell.domain.incident import IncidentSnapshot
from firebell.domain.lifecycle import Operation, Status, check_allowed
from firebell.domain.naming import incident_label
from firebell.domain.permissions import check_permitted
from firebell.domain.policy import Policy
from firebell.domain.timeline import EventKind
from firebell.services.context import Context
from firebell.services.effects import EffectKind, Target, enqueue, enqueue_notice, enqueue_sync, lane
from firebell.services.incidents import load_by_channel, load_by_number
from firebell.services.timeline import record_event
from firebell.store.models import Effect, Incident, TimelineEvent


@dataclass
class Change:
    """The open transaction, the (row-locked) incident being changed and the time of the change."""

    session: Session
    incident: Incident
    now: datetime
    policy: Policy

    def guard(self, operation: Operation, *, actor: str) -> None:
        """Refuse, saying why, what a closed incident does not allow or the policy does not let `actor` do."""
        guard(self.policy, self.incident, operation, actor=actor)

    def record(
        self,
        *,
        kind: EventKind,
        actor: str | None,
        text: str,
        data: dict[str, Any] | None = None,
        notice: str | None = None,
        notice_data: dict[str, Any] | None = None,
        targets: tuple[Target, ...] = (Target.ROOM,),
        sync: bool = False,
    ) -> TimelineEvent:
        """Write the timeline event; optionally post a notice about it and re-render the incident's state."""
        event = record_event(self.session, self.incident, kind=kind, at=self.now, actor=actor, text=text, data=data)
        assert event is not None  # only deduplicated (source_key) events can be skipped
        announcements = self.policy.announcement_channel is not None
        if notice is not None:
            enqueue_notice(
                self.session,
                self.incident,
                event,
                notice=notice,
                now=self.now,
                targets=targets,
                data=notice_data,
                announcements=announcements,
            )
        if sync:
            enqueue_sync(self.session, self.incident, now=self.now, announcements=announcements)
        return event

    def enqueue(
        self,
        kind: EffectKind,
        lane_name: str,
        *,
        key: str | None = None,
        payload: dict[str, Any] | None = None,
        dedupe: bool = False,
    ) -> Effect | None:
        """Queue an effect of this incident in one of its lanes, committed with the change.

        `key` identifies the effect for ever (a second with the same key is refused, or skipped with
        `dedupe`); without one, every call queues a new effect.
        """
        return enqueue(
            self.session,
            kind=kind,
            lane=lane(self.incident, lane_name),
            key=key or f"inc:{self.incident.id}:{kind.value}:{uuid.uuid4().hex}",
            now=self.now,
            incident=self.incident,
            payload=payload,
            dedupe=dedupe,
        )


def roles_of(incident: Incident) -> dict[str, str]:
    """Who holds each role; the declarer commands until command is handed over."""
    roles = {assignment.role: assignment.user_id for assignment in incident.roles}
    if incident.declared_by is not None:  # an alert-born incident commands nobody until someone takes it
        roles.setdefault("commander", incident.declared_by)
    return roles


def guard(policy: Policy, incident: Incident, operation: Operation, *, actor: str) -> None:
    """The one check every use case makes first: what the status allows, then who may (the policy's permissions)."""
    label = incident_label(incident.number)
    check_allowed(Status(incident.status), operation, label=label)
    check_permitted(
        policy.permissions, operation, actor=actor, roles=roles_of(incident), declarer=incident.declared_by, label=label
    )


def guard_snapshot(policy: Policy, incident: IncidentSnapshot, operation: Operation, *, actor: str) -> None:
    """The same check on an incident already read, before offering a form whose submission it would refuse."""
    label = incident.label
    check_allowed(incident.status, operation, label=label)
    roles = dict(incident.roles)
    if incident.commander is not None:
        roles["commander"] = incident.commander
    check_permitted(policy.permissions, operation, actor=actor, roles=roles, declarer=incident.declared_by, label=label)


@contextmanager
def incident_change(ctx: Context, *, channel_id: str | None = None, number: int | None = None) -> Iterator[Change]:
    """Open a transaction on the incident of a war room (or by number); commits when the block succeeds.

    The incident's row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite already has one writer), so
    two people pressing Mitigate at once are applied one after the other: the second is refused.
    """
    with ctx.db.transaction() as session:
        if channel_id is not None:
            incident = load_by_channel(session, channel_id, for_update=True)
        elif number is not None:
            incident = load_by_number(session, number, for_update=True)
        else:
            raise ValueError("incident_change needs a channel_id or a number")
        now = ctx.clock()
        yield Change(session=session, incident=incident, now=now, policy=ctx.policy)
        incident.updated_at = now
