"""The postmortem: started when an incident resolves, drafted from the record, edited by people, re-posted."""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from firebell.domain.action_items import ActionItemView
from firebell.domain.cadence import CADENCE_KINDS, cadence_report
from firebell.domain.errors import UsageError
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.incident_times import TimeField, check_moment
from firebell.domain.key_times import key_times
from firebell.domain.lifecycle import Operation, Status
from firebell.domain.naming import incident_label, war_room_url
from firebell.domain.policy import Policy
from firebell.domain.postmortem import PostmortemDraft, PostmortemSections, render_postmortem
from firebell.domain.timeline import EventKind, TimelineEntry
from firebell.services.action_items import view
from firebell.services.alerts.detection import detection_of
from firebell.services.changes import Change, incident_change
from firebell.services.context import Context
from firebell.services.effects import EffectKind
from firebell.services.incident_times import apply_time, first_alert_start
from firebell.services.incidents import load_by_number, snapshot
from firebell.services.paging.history import paging_record
from firebell.services.people.names import names_for
from firebell.services.timeline import timeline_of
from firebell.store.models import ActionItem, Incident, Postmortem


def ensure_postmortem(session: Session, incident: Incident, policy: Policy, now: datetime) -> Postmortem:
    """The incident's postmortem row, created (with a review date) the first time it is needed."""
    postmortem = session.get(Postmortem, incident.id)
    if postmortem is None:
        within = policy.postmortem.review_within
        postmortem = Postmortem(incident_id=incident.id, review_on=(now + within).date() if within else None)
        session.add(postmortem)
        session.flush()
    return postmortem


def request_postmortem(change: Change, *, reason: str) -> None:
    """Queue drafting and posting the postmortem (on resolve, and on `/incident postmortem`)."""
    ensure_postmortem(change.session, change.incident, change.policy, change.now)
    # Its own lane: a draft that fails (and retries) must not hold up the war room's messages.
    change.enqueue(EffectKind.POST_POSTMORTEM, "postmortem", payload={"reason": reason})


def regenerate_postmortem(ctx: Context, *, channel_id: str, actor: str) -> IncidentSnapshot:
    """Draft the postmortem again from the current timeline and post it (the people's sections are kept)."""
    with incident_change(ctx, channel_id=channel_id) as change:
        change.guard(Operation.POSTMORTEM, actor=actor)
        if Status(change.incident.status).is_open:
            raise UsageError(
                f"{incident_label(change.incident.number)} is still open. The postmortem is drafted when it "
                "resolves: `/incident resolve [text]`."
            )
        change.record(kind=EventKind.POSTMORTEM, actor=actor, text="Postmortem draft requested")
        request_postmortem(change, reason="requested")
        return snapshot(change.incident)


def build_draft(
    session: Session, incident: Incident, policy: Policy, *, now: datetime, workspace_url: str | None = None
) -> PostmortemDraft:
    """Everything the draft shows, read from the store (`workspace_url` makes the war-room link direct)."""
    entries = timeline_of(session, incident.id)
    items = [
        view(item, incident.number)
        for item in session.scalars(
            select(ActionItem).where(ActionItem.incident_id == incident.id).order_by(ActionItem.id)
        )
    ]
    sections = _sections(session.get(Postmortem, incident.id))
    picture = snapshot(incident)
    paging = paging_record(session, incident.id)
    return PostmortemDraft(
        incident=picture,
        policy=policy,
        timeline=entries,
        cadence=cadence_report([e for e in entries if e.kind in CADENCE_KINDS], now=now),
        action_items=items,
        sections=sections,
        names=names_for(session, people_in(picture, entries, items) | paging.people),
        generated_at=now,
        war_room_url=war_room_url(incident.channel_id, workspace_url) if incident.channel_id else None,
        detection=detection_of(session, incident.id, entries),
        paging=paging,
    )


# Events whose data names people besides the actor.
_NAMING_KINDS = frozenset(
    {
        EventKind.DECLARED,
        EventKind.COMMANDER_CHANGED,
        EventKind.ROLE_ASSIGNED,
        EventKind.PIN,
        EventKind.ACTION_ADDED,
        EventKind.ACTION_REASSIGNED,
        EventKind.ACTION_NUDGED,
    }
)


def people_in(incident: IncidentSnapshot, entries: list[TimelineEntry], items: list[ActionItemView]) -> set[str]:
    """Every user id the draft names."""
    ids = {*incident.roles.values()}
    if incident.declared_by is not None:
        ids.add(incident.declared_by)
    ids.update({entry.actor for entry in entries if entry.actor})
    for entry in entries:
        if entry.kind in _NAMING_KINDS:
            for key in ("user", "previous", "pinned_by", "commander", "owner"):
                value = entry.data.get(key)
                if isinstance(value, str):
                    ids.add(value)
    ids.update(item.owner for item in items if item.owner)
    return ids


def postmortem_markdown(ctx: Context, number: int) -> str:
    """The current draft as Markdown (what the API and the CLI return)."""
    with ctx.db.read() as session:
        incident = load_by_number(session, number)
        return render_postmortem(build_draft(session, incident, ctx.policy, now=ctx.clock()))


def save_sections(
    ctx: Context,
    *,
    number: int,
    actor: str,
    summary: str | None,
    contributing_factors: str | None,
    lessons: str | None,
    impact_started_at: datetime | None,
    review_on: date | None,
) -> IncidentSnapshot:
    """Store what people wrote; kept across regenerations of the draft. The impact start is the incident's
    own (`incidents.impact_started_at`, also set by `/incident times impact`): one moment, one place."""
    with incident_change(ctx, number=number) as change:
        change.guard(Operation.POSTMORTEM, actor=actor)
        warnings: tuple[str, ...] = ()
        current = change.incident.impact_started_at
        if (
            impact_started_at
            and current
            and impact_started_at.replace(second=0) == current.replace(second=0, microsecond=0)
        ):
            impact_started_at = current  # the picker shows minutes: an untouched field is no change
        if impact_started_at != current:
            change.guard(Operation.TIMES, actor=actor)
        if impact_started_at is not None and impact_started_at != current:
            times = key_times(snapshot(change.incident))
            first_alert_at = first_alert_start(change.session, change.incident.id)
            checked = check_moment(
                TimeField.IMPACT, impact_started_at, times=times, now=change.now, first_alert_at=first_alert_at
            )
            warnings = checked.warnings
        postmortem = ensure_postmortem(change.session, change.incident, change.policy, change.now)
        postmortem.summary = summary
        postmortem.contributing_factors = contributing_factors
        postmortem.lessons = lessons
        postmortem.review_on = review_on or postmortem.review_on
        postmortem.edited_by, postmortem.edited_at = actor, change.now
        apply_time(change, TimeField.IMPACT, impact_started_at, actor=actor, warnings=warnings)
        change.record(kind=EventKind.POSTMORTEM, actor=actor, text="Postmortem sections edited")
        return snapshot(change.incident)


def postmortem_sections(ctx: Context, number: int) -> PostmortemSections:
    """What people wrote so far (to prefill the edit form)."""
    with ctx.db.read() as session:
        incident = load_by_number(session, number)
        return _sections(session.get(Postmortem, incident.id))


def _sections(postmortem: Postmortem | None) -> PostmortemSections:
    """What people wrote in the postmortem (nothing yet when it has not been started)."""
    if postmortem is None:
        return PostmortemSections()
    return PostmortemSections(
        summary=postmortem.summary,
        contributing_factors=postmortem.contributing_factors,
        lessons=postmortem.lessons,
        review_on=postmortem.review_on,
    )
