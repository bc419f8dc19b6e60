"""Public updates: anyone in the war room drafts one, the Incident Commander publishes it (approving a draft, or
publishing directly); only published updates reach the status page.

Every step is a timeline event written through the one writer; publishing bumps the page revision and sets the
public cadence's next due point from the severity's `public_update_interval`. An incident's own title never
reaches the page: its status incident carries a public title, asked for with the first draft.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from firebell.domain.errors import FirebellError, UsageError
from firebell.domain.lifecycle import Operation
from firebell.domain.status_page.vocabulary import ComponentStatus, PublicStatus, indicator_of
from firebell.domain.timeline import EventKind
from firebell.services.changes import Change, incident_change
from firebell.services.context import Context
from firebell.services.status_page.revision import bump_revision
from firebell.services.status_page.statuspage_sync import enqueue_update_sync
from firebell.store.models import Incident, StatusIncident, StatusUpdate

MAX_BODY = 5000
MAX_TITLE = 200
_ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o, 1/l: read aloud and typed from a screenshot
_IMPACT_ORDER = ("none", "maintenance", "minor", "major", "critical")


class UpdateNotFound(FirebellError):
    """No such public update, or it is no longer a draft."""


@dataclass(frozen=True)
class PublicUpdateView:
    """A public update as recorded."""

    id: int
    public_id: str
    incident_number: int
    title: str
    state: str
    status: PublicStatus
    body: str
    components: dict[str, ComponentStatus]
    drafted_by: str
    decided_by: str | None
    published_at: datetime | None


def new_public_id() -> str:
    """A 12-character public id for URLs: random, so it says nothing about the incident or how many there were."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))


def _view(change: Change, status_incident: StatusIncident, row: StatusUpdate) -> PublicUpdateView:
    return PublicUpdateView(
        id=row.id,
        public_id=status_incident.public_id,
        incident_number=change.incident.number,
        title=status_incident.title,
        state=row.state,
        status=PublicStatus(row.status),
        body=row.body,
        components={slug: ComponentStatus(value) for slug, value in row.components.items()},
        drafted_by=row.drafted_by,
        decided_by=row.decided_by,
        published_at=row.published_at,
    )


def _clean(body: str, title: str | None) -> tuple[str, str | None]:
    body = body.strip()
    if not body:
        raise UsageError("A public update needs text: say what customers see and what happens next.")
    if len(body) > MAX_BODY:
        raise UsageError(f"A public update holds at most {MAX_BODY} characters; this one has {len(body)}.")
    if title is not None:
        title = " ".join(title.split())
        if not title:
            title = None
        elif len(title) > MAX_TITLE:
            raise UsageError(f"A public title holds at most {MAX_TITLE} characters; this one has {len(title)}.")
    return body, title


def _check_components(change: Change, components: dict[str, ComponentStatus]) -> dict[str, str]:
    config = change.policy.status_page
    checked: dict[str, str] = {}
    for token, status in components.items():
        try:
            component = config.component(token)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        checked[component.slug] = ComponentStatus(status).value
    return checked


def status_incident_of(session: Session, incident_id: int, *, for_update: bool = False) -> StatusIncident | None:
    """The incident's status incident, if a public update was ever drafted for it."""
    query = select(StatusIncident).where(StatusIncident.incident_id == incident_id)
    return session.scalar(query.with_for_update() if for_update else query)


def draft_public_update(
    ctx: Context,
    *,
    channel_id: str | None = None,
    number: int | None = None,
    by: str,
    status: PublicStatus,
    body: str,
    components: dict[str, ComponentStatus],
    title: str | None = None,
    publish: bool = False,
) -> PublicUpdateView:
    """Draft a public update (a newer draft replaces an undecided one); with `publish`, whoever may publish
    (the IC, by default) publishes it at once. The first draft of an incident must give a public title."""
    body, title = _clean(body, title)
    with incident_change(ctx, channel_id=channel_id, number=number) as change:
        change.guard(Operation.STATUSPAGE, actor=by)
        if publish:
            change.guard(Operation.PUBLISH, actor=by)
        checked = _check_components(change, components)
        status_incident = status_incident_of(change.session, change.incident.id, for_update=True)
        if status_incident is None:
            if title is None:
                raise UsageError(
                    "The first public update needs a public title: the incident's own title stays internal. "
                    "Say what customers notice, e.g. “Card payments failing for some customers”."
                )
            status_incident = StatusIncident(
                public_id=new_public_id(),
                incident_id=change.incident.id,
                title=title,
                status=status.value,
                impact="none",
                created_at=change.now,
                updated_at=change.now,
            )
            change.session.add(status_incident)
            change.session.flush()
        change.session.execute(
            update(StatusUpdate)
            .where(StatusUpdate.status_incident_id == status_incident.id, StatusUpdate.state == "draft")
            .values(state="superseded", decided_at=change.now)
        )
        row = StatusUpdate(
            status_incident_id=status_incident.id,
            state="draft",
            status=status.value,
            body=body,
            components=checked,
            drafted_by=by,
            drafted_at=change.now,
        )
        change.session.add(row)
        change.session.flush()
        if title is not None and status_incident.published_at is None:
            status_incident.title = title  # the public title may change until the page shows it
        if publish:
            _publish(change, status_incident, row, by=by)
        else:
            change.record(
                kind=EventKind.PUBLIC_UPDATE_DRAFTED,
                actor=by,
                text=f"Public update drafted ({status.label}), awaiting the Incident Commander's approval: {body}",
                data={"update_id": row.id, "status": status.value, "components": checked},
                notice="public_update_drafted",  # the draft, with Approve & publish / Edit / Reject, in the room
                notice_data=_card(status_incident, row),
            )
        return _view(change, status_incident, row)


def approve_public_update(ctx: Context, update_id: int, *, by: str) -> PublicUpdateView:
    """Publish a draft (whoever may publish: the IC, by default); UpdateNotFound when it is no longer a draft."""
    with ctx.db.read() as session:
        incident_id = session.scalar(
            select(StatusIncident.incident_id)
            .join(StatusUpdate, StatusUpdate.status_incident_id == StatusIncident.id)
            .where(StatusUpdate.id == update_id)
        )
    if incident_id is None:
        raise UpdateNotFound(f"No public update {update_id}.")
    number = _number_of(ctx, incident_id)
    with incident_change(ctx, number=number) as change:
        change.guard(Operation.PUBLISH, actor=by)
        status_incident, row = _draft(change, update_id)
        _publish(change, status_incident, row, by=by)
        return _view(change, status_incident, row)


def reject_public_update(ctx: Context, update_id: int, *, by: str, reason: str) -> PublicUpdateView:
    """Turn a draft down, saying why (whoever may publish)."""
    reason = " ".join(reason.split())[:500]
    with ctx.db.read() as session:
        incident_id = session.scalar(
            select(StatusIncident.incident_id)
            .join(StatusUpdate, StatusUpdate.status_incident_id == StatusIncident.id)
            .where(StatusUpdate.id == update_id)
        )
    if incident_id is None:
        raise UpdateNotFound(f"No public update {update_id}.")
    with incident_change(ctx, number=_number_of(ctx, incident_id)) as change:
        change.guard(Operation.PUBLISH, actor=by)
        status_incident, row = _draft(change, update_id)
        row.state, row.decided_by, row.decided_at = "rejected", by, change.now
        change.record(
            kind=EventKind.PUBLIC_UPDATE_REJECTED,
            actor=by,
            text=f"Public update not published{': ' + reason if reason else ''}",
            data={"update_id": row.id, "reason": reason},
        )
        return _view(change, status_incident, row)


def _number_of(ctx: Context, incident_id: int) -> int:
    with ctx.db.read() as session:
        number = session.scalar(select(Incident.number).where(Incident.id == incident_id))
    if number is None:
        raise UpdateNotFound("That public update's incident no longer exists.")
    return int(number)


def _draft(change: Change, update_id: int) -> tuple[StatusIncident, StatusUpdate]:
    row = change.session.get(StatusUpdate, update_id)
    status_incident = status_incident_of(change.session, change.incident.id, for_update=True)
    if row is None or status_incident is None or row.status_incident_id != status_incident.id:
        raise UpdateNotFound(f"No public update {update_id} for this incident.")
    if row.state != "draft":
        who = f" by <@{row.decided_by}>" if row.decided_by else ""
        raise UpdateNotFound(f"That public update was already {row.state}{who}; nothing changed.")
    return status_incident, row


def _publish(change: Change, status_incident: StatusIncident, row: StatusUpdate, *, by: str) -> None:
    status = PublicStatus(row.status)
    row.state, row.decided_by, row.decided_at, row.published_at = "published", by, change.now, change.now
    status_incident.status = status.value
    status_incident.updated_at = change.now
    if status_incident.published_at is None:
        status_incident.published_at = change.now
    impact = indicator_of([ComponentStatus(v) for v in row.components.values()]).value
    if _IMPACT_ORDER.index(impact) > _IMPACT_ORDER.index(status_incident.impact):
        status_incident.impact = impact
    status_incident.reminder_misses = 0
    status_incident.revision += 1
    if status is PublicStatus.RESOLVED:
        status_incident.resolved_at = change.now
        status_incident.next_update_due_at = None
    else:
        status_incident.resolved_at = None
        interval = change.policy.known(change.incident.severity).public_update_interval
        status_incident.next_update_due_at = change.now + interval if interval else None
    bump_revision(change.session, change.now)
    enqueue_update_sync(change.session, change.policy, status_incident, row, now=change.now)
    change.record(
        kind=EventKind.PUBLIC_UPDATE_PUBLISHED,
        actor=by,
        text=f"Public update published ({status.label}): {row.body}",
        data={"update_id": row.id, "status": status.value, "components": dict(row.components)},
        notice="public_update_published",  # the war room hears, with a link to the public page
        notice_data=_card(status_incident, row),
    )


def _card(status_incident: StatusIncident, row: StatusUpdate) -> dict[str, object]:
    """What the war room's message about a public update shows (a notice's payload)."""
    return {
        "update_id": row.id,
        "public_id": status_incident.public_id,
        "title": status_incident.title,
        "state": row.state,
        "status": row.status,
        "body": row.body,
        "components": dict(row.components),
        "drafted_by": row.drafted_by,
        "decided_by": row.decided_by,
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
    }
