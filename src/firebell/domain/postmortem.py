"""The blameless postmortem draft, rendered as Markdown from what the incident recorded. Pure."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property

from firebell.domain.action_items import ActionItemView, ItemStatus
from firebell.domain.cadence import CadenceReport
from firebell.domain.detection import Detection, render_detection
from firebell.domain.durations import format_duration
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.key_times import KeyTimes, key_times, signed_duration
from firebell.domain.naming import incident_label
from firebell.domain.policy import Policy, Severity
from firebell.domain.postmortem_paging import PAGE_LABELS, PagingRecord, render_paging
from firebell.domain.postmortem_summary import DRAFT_MARK, SummaryFacts, draft_summary
from firebell.domain.responders import Responder, responders
from firebell.domain.severity_history import SeverityStep, peak_severity, severity_history
from firebell.domain.timeline import BY_TIME, EventKind, TimelineEntry

FACTOR_PROMPTS = (
    "Which conditions in our systems made this possible (load, configuration, dependencies, recent changes)?",
    "What made the problem hard to detect, or to diagnose once detected?",
    "Which signals, dashboards or runbooks were missing, misleading or hard to find?",
    "Where did our process or tooling make the right action slow or risky?",
)
LESSON_PROMPTS = (
    "What went well that we should keep doing?",
    "What surprised us about how the system behaved?",
    "What would let the next on-call engineer mitigate this faster?",
)
_KIND_LABEL = {
    EventKind.DECLARED: "Declared",
    EventKind.STATUS_CHANGED: "Status",
    EventKind.SEVERITY_CHANGED: "Severity",
    EventKind.COMMANDER_CHANGED: "Handover",
    EventKind.ROLE_ASSIGNED: "Role",
    EventKind.UPDATE: "Update",
    EventKind.NOTE: "Note",
    EventKind.PIN: "Pinned",
    EventKind.REMINDER: "Reminder",
    EventKind.ESCALATION: "Escalation",
    EventKind.SNOOZED: "Snoozed",
    EventKind.SLACK_FAILURE: "Slack",
    EventKind.ACTION_ADDED: "Action item",
    EventKind.ACTION_DONE: "Action item",
    EventKind.ACTION_REASSIGNED: "Action item",
    EventKind.ACTION_NUDGED: "Follow-up",
    EventKind.POSTMORTEM: "Postmortem",
    EventKind.RUNBOOK_POSTED: "Runbook",
    EventKind.RUNBOOK_STEP: "Runbook step",
    EventKind.ALERT_FIRING: "Alert",
    EventKind.ALERT_RESOLVED: "Alert",
    EventKind.ALERTS_LINKED: "Alerts",
    EventKind.TRIAGE: "Triage",
    EventKind.TIMES_CHANGED: "Times",
    **PAGE_LABELS,
}


@dataclass(frozen=True)
class PostmortemSections:
    """What people wrote; None sections are drafted as prompts."""

    summary: str | None = None
    contributing_factors: str | None = None
    lessons: str | None = None
    review_on: date | None = None


@dataclass(frozen=True)
class PostmortemDraft:
    """Everything the draft is made of."""

    incident: IncidentSnapshot
    policy: Policy
    timeline: list[TimelineEntry]
    cadence: CadenceReport
    action_items: list[ActionItemView]
    sections: PostmortemSections
    names: dict[str, str] = field(default_factory=dict)
    generated_at: datetime | None = None
    war_room_url: str | None = None
    detection: Detection = field(default_factory=Detection)
    paging: PagingRecord = field(default_factory=PagingRecord)


_RARE_KINDS = frozenset(
    {
        EventKind.DECLARED,
        EventKind.COMMANDER_CHANGED,
        EventKind.STATUS_CHANGED,
        EventKind.SEVERITY_CHANGED,
        EventKind.RUNBOOK_POSTED,
    }
)
_SECONDS = tuple(f"{second:02d}" for second in range(60))
_LABELS = {kind: _KIND_LABEL.get(kind, kind.value) for kind in EventKind}
_SPECIAL_KINDS = frozenset(
    {
        EventKind.COMMANDER_CHANGED,
        EventKind.ROLE_ASSIGNED,
        EventKind.PIN,
        EventKind.REMINDER,
        EventKind.ESCALATION,
        EventKind.SLACK_FAILURE,
        EventKind.ACTION_NUDGED,
    }
)


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at else "not yet"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|") or " "


def _prose(text: str) -> str:
    return text.strip()


def _took(duration: timedelta | None) -> str:
    return format_duration(duration) if duration is not None else "not yet"


class _Renderer:
    def __init__(self, draft: PostmortemDraft) -> None:
        self.d = draft
        self.names = draft.names
        self.lines: list[str] = []
        # The few events the summary and responders read, found in one pass over a long timeline.
        self.rare = [e for e in draft.timeline if e.kind in _RARE_KINDS]

    def who(self, user_id: str | None) -> str:
        if user_id is None:
            return "Firebell"
        return self.names.get(user_id, user_id)

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def render(self) -> str:
        incident = self.d.incident
        generated = _when(self.d.generated_at) if self.d.generated_at else "now"
        self.add(
            f"# {incident_label(incident.number)}: {incident.title}",
            "",
            f"Postmortem draft, generated by Firebell from the incident's timeline ({generated}). This is a "
            "blameless review: it asks how our systems, conditions and decisions made this possible, never "
            "who is at fault. Italic text is a prompt for the review to answer.",
            "",
        )
        if self.d.war_room_url:
            room = f"#{incident.channel_name}" if incident.channel_name else "the war room"
            self.add(f"War room: [{room}]({self.d.war_room_url})", "")
        self.summary()
        self.impact()
        self.times()
        self.add(*render_detection(self.d.detection, self.d.incident, self.times_, self.who))
        self.responders()
        self.add(*render_paging(self.d.paging, self.d.incident, self.who))
        self.timeline()
        self.cadence()
        self.written_or_prompts("Contributing factors", self.d.sections.contributing_factors, FACTOR_PROMPTS)
        self.written_or_prompts("Lessons", self.d.sections.lessons, LESSON_PROMPTS)
        self.actions()
        self.review()
        return "\n".join(self.lines).rstrip() + "\n"

    @cached_property
    def history(self) -> list[SeverityStep]:
        return severity_history(self.rare)

    @cached_property
    def peak(self) -> Severity:
        policy, current = self.d.policy, self.d.incident.severity
        return policy.known(peak_severity(self.history, current, policy.rank))

    @cached_property
    def times_(self) -> KeyTimes:
        return key_times(self.d.incident)

    @cached_property
    def people(self) -> list[Responder]:
        return responders(self.d.incident, self.d.timeline, self.d.action_items)

    def summary(self) -> None:
        self.add("## Summary", "")
        if self.d.sections.summary:
            self.add(_prose(self.d.sections.summary), "")
            return
        facts = SummaryFacts(
            incident=self.d.incident,
            times=self.times_,
            history=self.history,
            peak=self.peak,
            timeline=self.rare,
            responders=len(self.people),
            who=self.who,
        )
        self.add(DRAFT_MARK, "", draft_summary(facts), "")

    def impact(self) -> None:
        incident, peak = self.d.incident, self.peak
        self.add("## Customer impact", "", f"**Peak severity {peak.name}**: {peak.description}", "")
        if len(self.history) > 1:
            self.add("Severity history:", "")
            for step in self.history:
                self.add(f"- {_when(step.at)}: {step.severity} (set by {self.who(step.actor)})")
            self.add("")
        if incident.customer_impact:
            self.add(_prose(incident.customer_impact), "")
        else:
            self.add("_Who was affected, how, and for how long? Which journeys failed?_", "")

    def times(self) -> None:
        incident, times = self.d.incident, self.times_
        rows = []
        if times.start_is_impact:
            rows.append(("Impact started", _when(times.start)))
        rows += [
            ("Detected", _when(times.detected)),
            ("Declared", _when(incident.declared_at)),
            ("Mitigated", _when(incident.mitigated_at)),
            ("Resolved", _when(incident.resolved_at)),
        ]
        if times.time_to_detect is not None:
            rows.append(("Time to detect", signed_duration(times.time_to_detect)))
        rows += [
            ("Time to declare", format_duration(times.time_to_declare)),
            ("Time to mitigate", _took(times.time_to_mitigate)),
            ("Time to resolve", _took(times.time_to_resolve)),
            ("Measured from", times.measured_from),
        ]
        if times.impact_duration is None:
            rows.append(("Customer impact duration", "ongoing (not mitigated yet)"))
        elif times.start_is_impact:
            rows.append(
                ("Customer impact duration", f"{format_duration(times.impact_duration)} (impact start to mitigation)")
            )
        else:
            lasted, word = format_duration(times.impact_duration), times.start_word
            rows.append(
                ("Customer impact duration", f"at least {lasted} ({word} to mitigation; impact start not recorded)")
            )
        self.add("## Key times", "", "| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows), "")
        if not times.start_is_impact:
            self.add(
                "_When did customers start to be affected? Set the impact start: `/incident times impact 13:50` "
                "(UTC) or Edit summary & lessons._",
                "",
            )

    def responders(self) -> None:
        self.add("## Responders", "")
        if self.d.incident.declared_by is None:
            self.add(f"- Nobody declared it: {self.d.incident.declarer_text}")
        for person in self.people:
            roles = ", ".join(person.roles)
            did = "; ".join(person.activity())
            line = f"- {self.who(person.user_id)}"
            if roles:
                line += f" ({roles})"
            self.add(f"{line}: {did}" if did else line)
        commanders = self.commanders()
        if len(commanders) > 1:
            self.add(f"- Incident Commanders in turn: {', then '.join(commanders)}")
        handovers = [e for e in self.rare if e.kind is EventKind.COMMANDER_CHANGED]
        if handovers:
            self.add("", "Handovers:")
            for e in handovers:
                if e.data.get("previous") is None:  # an alert-born incident's first IC
                    self.add(f"- {_when(e.at)}: {self.who(e.data.get('user'))} took command (unassigned until then)")
                    continue
                self.add(
                    f"- {_when(e.at)}: {self.who(e.data.get('previous'))} handed command to "
                    f"{self.who(e.data.get('user'))}"
                )
        self.add("")

    def commanders(self) -> list[str]:
        first = next(
            (e.data.get("commander") for e in self.rare if e.kind is EventKind.DECLARED and e.data.get("commander")),
            None,
        )
        chain = [self.who(str(first))] if first else []
        for e in self.rare:
            if e.kind is EventKind.COMMANDER_CHANGED:
                chain.append(self.who(e.data.get("user")))
        commander = self.d.incident.commander
        return chain or [self.who(commander) if commander else "nobody (unassigned)"]

    def timeline(self) -> None:
        self.add("## Timeline", "", "All times UTC.", "")
        labels, special, who = _LABELS, _SPECIAL_KINDS, self.names.get
        lines = self.lines
        # This runs once per event (tens of thousands for a long incident): the common kinds take the
        # short path, and the "YYYY-MM-DD HH:MM:" part of the stamp is formatted once per minute.
        append, seconds, newline, one_minute = lines.append, _SECONDS, "\n", timedelta(minutes=1)
        minute_start = minute_end = datetime.min.replace(tzinfo=UTC)  # an empty minute: the first event starts one
        prefix = ""
        for e in sorted(self.d.timeline, key=BY_TIME):
            at, kind, actor, text, _ = e
            if not minute_start <= at < minute_end:
                minute_start = at.replace(second=0, microsecond=0)
                minute_end = minute_start + one_minute
                prefix = "%04d-%02d-%02d %02d:%02d:" % (at.year, at.month, at.day, at.hour, at.minute)  # noqa: UP031
            if kind in special:
                detail = self.event_text(e)
            elif newline in text:
                detail = f"{who(actor, actor) if actor else 'Firebell'}: {_indent(text)}"
            else:
                append(
                    f"- **{prefix}{seconds[at.second]}** · {labels[kind]} · "
                    f"{who(actor, actor) if actor else 'Firebell'}: {text}"
                )
                continue
            append(f"- **{prefix}{seconds[at.second]}** · {labels[kind]} · {detail}")
        self.add("")

    def event_text(self, e: TimelineEntry) -> str:
        data = e.data
        if e.kind is EventKind.COMMANDER_CHANGED:
            return f"{self.who(e.actor)} handed command to {self.who(data.get('user'))}"
        if e.kind is EventKind.ROLE_ASSIGNED:
            return f"{self.who(e.actor)} made {self.who(data.get('user'))} {data.get('role')}"
        if e.kind is EventKind.PIN:
            return f"{self.who(e.actor)} (pinned by {self.who(data.get('pinned_by'))}): {_indent(e.text)}"
        return e.text  # reminders, escalations, follow-ups, Slack failures: Firebell's own words

    def cadence(self) -> None:
        report = self.d.cadence
        share = f" ({report.updates_on_time / report.updates_due:.0%})" if report.updates_due else ""
        self.add(
            "## Communication cadence",
            "",
            f"- Status updates due: {report.updates_due}; on time: {report.updates_on_time}{share}",
            f"- Longest silence while open: {format_duration(report.longest_silence)}",
            "",
        )

    def written_or_prompts(self, title: str, written: str | None, prompts: tuple[str, ...]) -> None:
        self.add(f"## {title}", "")
        if written:
            self.add(_prose(written), "")
        else:
            self.add(*(f"- _{prompt}_" for prompt in prompts), "")

    def actions(self) -> None:
        self.add("## Action items", "")
        items = self.d.action_items
        if not items:
            self.add("_None yet. Add them in the war room with `/incident action <text> [@owner] [due …]`._", "")
            return
        self.add("| # | Action | Owner | Due | Status |", "|---|---|---|---|---|")
        for item in items:
            status = "done" if item.status is ItemStatus.DONE else "open"
            self.add(
                f"| {item.id} | {_cell(item.text)} | {self.who(item.owner) if item.owner else 'unowned'} | "
                f"{item.due_on.isoformat() if item.due_on else '-'} | {status} |"
            )
        self.add("")

    def review(self) -> None:
        review_on = self.d.sections.review_on
        self.add("## Review", "")
        if review_on:
            self.add(
                f"Review meeting by {review_on.isoformat()}. Close the incident with `/incident close` once it is held."
            )
        else:
            self.add("_Schedule the review meeting; close the incident with `/incident close` once it is held._")


def _indent(text: str) -> str:
    """Keep multi-line text inside its list item."""
    return text.strip().replace("\n", "\n  ")


def render_postmortem(draft: PostmortemDraft) -> str:
    """The postmortem draft as Markdown, sections in the order reviews read them."""
    return _Renderer(draft).render()
