"""The summary paragraph a postmortem draft proposes from the record, for people to edit. Pure."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from firebell.domain.durations import format_duration
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.key_times import KeyTimes
from firebell.domain.lifecycle import Status
from firebell.domain.policy import Severity
from firebell.domain.severity_history import SeverityStep
from firebell.domain.timeline import EventKind, TimelineEntry

DRAFT_MARK = "**Draft summary, written by Firebell from the record: edit it before the review.**"


@dataclass(frozen=True)
class SummaryFacts:
    """What the summary paragraph is drafted from."""

    incident: IncidentSnapshot
    times: KeyTimes
    history: Sequence[SeverityStep]
    peak: Severity
    timeline: Sequence[TimelineEntry]
    responders: int
    who: Callable[[str | None], str]


def _clock(facts: SummaryFacts, at: datetime) -> str:
    same_day = at.date() == facts.incident.declared_at.date()
    return at.strftime("%H:%M UTC" if same_day else "%Y-%m-%d %H:%M UTC")


def _sentence(text: str) -> str:
    """One line of someone's text, ending as a sentence."""
    text = " ".join(text.split()).rstrip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _status_notes(timeline: Sequence[TimelineEntry], to: Status) -> list[tuple[str | None, str | None]]:
    """(actor, note) of each change to a status, oldest first."""
    return [
        (e.actor, str(e.data["note"]) if e.data.get("note") else None)
        for e in timeline
        if e.kind is EventKind.STATUS_CHANGED and e.data.get("to") == to.value
    ]


def draft_summary(facts: SummaryFacts) -> str:
    """What happened, the impact, how long, how it was detected and how it was fixed, as one paragraph."""
    incident, times = facts.incident, facts.times
    parts = [f"On {incident.declared_at.strftime('%Y-%m-%d')}, {incident.label}: {_sentence(incident.title)}"]
    if incident.description:
        parts.append(_sentence(incident.description))
    declared_as = facts.history[0].severity if facts.history else incident.severity
    declarer = (
        f"by {facts.who(incident.declared_by)}" if incident.declared_by else f"from alerts ({incident.declared_from})"
    )
    detected = f"It was declared as {declared_as} {declarer} at {_clock(facts, incident.declared_at)}"
    if times.start_is_impact:
        delay = incident.declared_at - times.start
        when = "after" if delay >= timedelta(0) else "before"
        detected += f", {format_duration(abs(delay))} {when} the impact started at {_clock(facts, times.start)}"
    parts.append(detected + ".")
    if facts.peak.name != declared_as or len(facts.history) > 1:
        path = " → ".join(step.severity for step in facts.history)
        parts.append(f"Severity went {path}, peaking at {facts.peak.name}: {_sentence(facts.peak.description)}")
    else:
        described = facts.peak.description[:1].lower() + facts.peak.description[1:]
        parts.append(f"It stayed at {facts.peak.name} ({described.rstrip('.')}).")
    if incident.customer_impact:
        parts.append(f"Customer impact: {_sentence(incident.customer_impact)}")
    if times.impact_duration is not None and incident.mitigated_at is not None:
        mitigations = _status_notes(facts.timeline, Status.MITIGATED)
        by = facts.who(mitigations[-1][0]) if mitigations else None
        lasted = format_duration(times.impact_duration)
        lasted = lasted if times.start_is_impact else f"at least {lasted} (counted from the {times.start_word})"
        if mitigations:
            note = mitigations[-1][1]
            parts.append(
                f"Customers were affected for {lasted}, until it was mitigated at "
                f"{_clock(facts, incident.mitigated_at)} by {by}" + (f": {_sentence(note)}" if note else ".")
            )
        else:
            parts.append(f"Customers were affected for {lasted}, until it was resolved.")
    else:
        parts.append("It is not mitigated yet.")
    resolves = _status_notes(facts.timeline, Status.RESOLVED)
    if incident.resolved_at is not None:
        note = resolves[-1][1] if resolves else None
        parts.append(
            f"It was resolved at {_clock(facts, incident.resolved_at)}"
            + (f" by {facts.who(resolves[-1][0])}" if resolves else "")
            + (f": {_sentence(note)}" if note else ".")
        )
    runbooks = [str(e.data.get("slug")) for e in facts.timeline if e.kind is EventKind.RUNBOOK_POSTED]
    if runbooks:
        parts.append(f"Runbooks used: {', '.join(dict.fromkeys(runbooks))}.")
    people = "person" if facts.responders == 1 else "people"
    parts.append(f"{facts.responders} {people} took part.")
    return " ".join(parts)
