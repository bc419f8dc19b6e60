"""Reading and setting an incident's key moments (impact start, detection): `/incident times` and the
postmortem form both write through `apply_time`, so each change is one timeline event."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from firebell.domain.incident import IncidentSnapshot
from firebell.domain.incident_times import TimeField, check_moment, parse_moment, when
from firebell.domain.key_times import KeyTimes, durations_line, key_times
from firebell.domain.lifecycle import Operation, Status
from firebell.domain.timeline import EventKind
from firebell.services.changes import Change, incident_change
from firebell.services.context import Context
from firebell.services.incidents import load_by_channel, snapshot
from firebell.store.models import Alert, AlertGroup


@dataclass(frozen=True)
class TimesView:
    """An incident's moments as `/incident times` shows them."""

    incident: IncidentSnapshot
    times: KeyTimes
    first_alert_at: datetime | None


@dataclass(frozen=True)
class TimeSet:
    """What `/incident times <field> <when>` changed, and what was odd about it."""

    view: TimesView
    field: TimeField
    moment: datetime
    previous: datetime | None
    warnings: tuple[str, ...]


def first_alert_start(session: Session, incident_id: int) -> datetime | None:
    """The earliest startsAt of the alerts linked to the incident (None: none are)."""
    return session.scalar(
        select(func.min(Alert.starts_at))
        .join(AlertGroup, AlertGroup.id == Alert.group_id)
        .where(AlertGroup.incident_id == incident_id)
    )


def times_of(ctx: Context, *, channel_id: str) -> TimesView:
    """The war room's incident, its key times and its first alert."""
    with ctx.db.read() as session:
        incident = snapshot(load_by_channel(session, channel_id))
        return TimesView(incident, key_times(incident), first_alert_start(session, incident.id))


def apply_time(
    change: Change, field: TimeField, moment: datetime | None, *, actor: str, warnings: tuple[str, ...] = ()
) -> datetime | None:
    """Set (or, for the impact start, clear) one moment of the locked incident, record it on the timeline and
    tell the war room while the incident is not closed; returns the previous value. No change: nothing recorded."""
    incident = change.incident
    previous: datetime | None = getattr(incident, field.column)
    if moment == previous:
        return previous
    setattr(incident, field.column, moment)
    was = when(previous) if previous else "not set"
    text = f"{field.label} set to {when(moment)} (was {was})" if moment else f"{field.label} cleared (was {was})"
    times = key_times(snapshot(incident))
    data = {
        "field": field.value,
        "at": moment.isoformat() if moment else None,
        "previous": previous.isoformat() if previous else None,
        "warnings": list(warnings),
    }
    notice = None if Status(incident.status) is Status.CLOSED else "times_changed"
    notice_data = {"actor": actor, "change": text, "durations": durations_line(times), "warnings": list(warnings)}
    change.record(
        kind=EventKind.TIMES_CHANGED, actor=actor, text=text, data=data, notice=notice, notice_data=notice_data
    )
    return previous


def set_time(ctx: Context, *, channel_id: str, actor: str, field: TimeField, text: str) -> TimeSet:
    """`/incident times impact 13:50`: read the time (UTC), refuse what cannot be, warn about what is odd."""
    with incident_change(ctx, channel_id=channel_id) as change:
        change.guard(Operation.TIMES, actor=actor)
        moment = parse_moment(text, now=change.now)
        first_alert_at = first_alert_start(change.session, change.incident.id)
        checked = check_moment(
            field, moment, times=key_times(snapshot(change.incident)), now=change.now, first_alert_at=first_alert_at
        )
        previous = apply_time(change, field, checked.moment, actor=actor, warnings=checked.warnings)
        incident = snapshot(change.incident)
        view = TimesView(incident, key_times(incident), first_alert_at)
        return TimeSet(view=view, field=field, moment=checked.moment, previous=previous, warnings=checked.warnings)
