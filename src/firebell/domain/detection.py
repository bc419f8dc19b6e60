"""The postmortem's Detection section: how the incident was detected (which alerts, or a person), the
durations that make MTTD, and the triage decisions. Pure: the facts are read in services/alerts/detection.py.

Alert names, sources and links come from senders (labels, annotations): they are untrusted text, so they are
escaped for Markdown and links are kept only when they are http(s).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from firebell.domain.durations import format_duration
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.key_times import KeyTimes, signed_duration

MAX_LISTED_ALERTS = 20
_MAX_NAME = 200
_MAX_URL = 1000
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()<>#|!~])")


@dataclass(frozen=True)
class DetectedAlert:
    """One linked alert as the section lists it."""

    source: str
    name: str
    starts_at: datetime
    url: str | None
    group_id: int


@dataclass(frozen=True)
class TriageStep:
    """A decision about an alert group: declared, attached, declined or acknowledged; by None = Firebell (a rule)."""

    at: datetime
    by: str | None
    decision: str
    group_id: int | None
    source: str | None
    reason: str | None = None
    text: str | None = None  # what the timeline said, for a decision this section does not know


@dataclass(frozen=True)
class Detection:
    """What the section is made of: the first alerts (by startsAt), how many there were, and the decisions."""

    alerts: tuple[DetectedAlert, ...] = ()
    alert_count: int = 0
    sources: tuple[str, ...] = ()
    triage: tuple[TriageStep, ...] = ()

    @property
    def by_alerts(self) -> bool:
        """Whether alerts are linked (else a person noticed it)."""
        return self.alert_count > 0


def md_text(text: str, limit: int = _MAX_NAME) -> str:
    """Untrusted text as literal Markdown on one line, cut at a word to `limit` characters."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        cut = flat[: limit - 1]
        flat = (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)


def md_link(text: str, url: str | None) -> str:
    """`[text](url)` when the url is a plain http(s) address, else the escaped text alone."""
    label = md_text(text)
    if not url or len(url) > _MAX_URL or not re.match(r"^https?://[^\s<>]+$", url):
        return label
    return f"[{label}]({url.replace('(', '%28').replace(')', '%29')})"


def _utc(at: datetime | None) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if at else "not yet"


def how_detected(detection: Detection, incident: IncidentSnapshot, who: Callable[[str | None], str]) -> str:
    """One sentence: `By 3 alerts from prometheus (first started …)`, or `Declared by alice (noticed at …)`."""
    if detection.by_alerts:
        first = min(a.starts_at for a in detection.alerts)
        many = "alert" if detection.alert_count == 1 else "alerts"
        sources = ", ".join(md_text(s, 40) for s in detection.sources)
        return f"By {detection.alert_count} {many} from {sources} (the first started at {_utc(first)})"
    declarer = who(incident.declared_by)
    detected = incident.detected_at or incident.declared_at
    if detected == incident.declared_at:
        return f"Declared by {declarer} (noticed at the declare, {_utc(detected)})"
    return f"Declared by {declarer} (noticed at {_utc(detected)})"


def _step_line(step: TriageStep, incident: IncidentSnapshot, who: Callable[[str | None], str]) -> str:
    actor = who(step.by) if step.by else "Firebell (the source's declare rule)"
    group = f"alert group {step.group_id}" if step.group_id is not None else "an alert group"
    if step.source:
        group += f" ({md_text(step.source, 40)})"
    verb = {
        "declared": f"declared {incident.label} from {group}",
        "attached": f"attached {group} to {incident.label}",
        "declined": f"declined {group}",
        "acknowledged": f"acknowledged {group}",
    }.get(step.decision, md_text(step.text or f"{step.decision}: {group}"))
    reason = f" ({md_text(step.reason, 200)})" if step.reason else ""
    return f"- {_utc(step.at)}: {actor} {verb}{reason}"


def render_detection(
    detection: Detection, incident: IncidentSnapshot, times: KeyTimes, who: Callable[[str | None], str]
) -> list[str]:
    """The Detection section as Markdown lines."""
    lines = ["## Detection", "", how_detected(detection, incident, who) + ".", ""]
    if detection.alerts:
        for alert in detection.alerts:
            name = md_link(alert.name, alert.url)
            lines.append(
                f"- {name} ({md_text(alert.source, 40)}, started {_utc(alert.starts_at)}, group {alert.group_id})"
            )
        more = detection.alert_count - len(detection.alerts)
        if more > 0:
            lines.append(f"- and {more} more alerts (`GET /api/v1/incidents/{incident.number}/alerts` lists them all)")
        lines.append("")
    ttd = signed_duration(times.time_to_detect) if times.time_to_detect is not None else None
    start = "impact start" if times.start_is_impact else f"{times.start_word}; impact start not recorded"
    rows = [
        ("Impact started", _utc(times.start) if times.start_is_impact else "not recorded (taken as the detection)"),
        ("Detected", _utc(times.detected)),
        ("Time to detect (detected − impact started)", ttd or "not recorded: set the impact start"),
        ("Time to declare (declared − detected)", format_duration(times.time_to_declare)),
        (f"Time to mitigate (from {start})", _took(times.time_to_mitigate)),
        (f"Time to resolve (from {start})", _took(times.time_to_resolve)),
    ]
    lines += ["| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows), ""]
    if times.time_to_detect is not None and times.time_to_detect.total_seconds() < 0:
        lines += ["_Detected before customers were affected: an early warning worked._", ""]
    if detection.triage:
        lines += ["Triage decisions:", "", *(_step_line(step, incident, who) for step in detection.triage), ""]
    elif detection.by_alerts:
        lines += ["_No triage decision was recorded._", ""]
    return lines


def _took(duration: timedelta | None) -> str:
    return format_duration(duration) if duration is not None else "not yet"
