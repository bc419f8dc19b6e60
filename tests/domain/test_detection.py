"""The postmortem's Detection section, rendered from facts (pure, no I/O)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from firebell.domain.detection import DetectedAlert, Detection, TriageStep, md_link, md_text, render_detection
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.key_times import key_times
from firebell.domain.lifecycle import Status

T0 = datetime(2026, 12, 7, 14, 5, tzinfo=UTC)
M = timedelta(minutes=1)
INCIDENT = IncidentSnapshot(
    id=1,
    number=7,
    title="Checkout failing",
    severity="SEV2",
    status=Status.RESOLVED,
    declared_by="U0ALICE00",
    declared_at=T0,
    detected_at=T0,
    mitigated_at=T0 + 30 * M,
    resolved_at=T0 + 60 * M,
)
NAMES = {"U0ALICE00": "alice", "U0BOB0000": "bob"}


def who(user: str | None) -> str:
    return NAMES.get(user or "", user or "Firebell")


def render(detection: Detection, incident: IncidentSnapshot = INCIDENT) -> str:
    return "\n".join(render_detection(detection, incident, key_times(incident), who))


def test_a_persons_declare_says_who_and_when_they_noticed() -> None:
    noticed = replace(INCIDENT, detected_at=T0 - 8 * M, impact_started_at=T0 - 20 * M)
    text = render(Detection(), noticed)
    assert "Declared by alice (noticed at 2026-12-07 13:57 UTC)." in text
    assert "| Time to detect (detected − impact started) | 12m |" in text
    assert "| Time to declare (declared − detected) | 8m |" in text
    assert "| Time to mitigate (from impact start) | 50m |" in text
    assert "| Time to resolve (from impact start) | 1h 20m |" in text
    assert "Triage decisions" not in text
    plain = render(Detection())
    assert "Declared by alice (noticed at the declare, 2026-12-07 14:05 UTC)." in plain
    assert "| Time to detect (detected − impact started) | not recorded: set the impact start |" in plain
    assert "| Time to mitigate (from declare; impact start not recorded) | 30m |" in plain


def test_alerts_are_listed_with_links_and_triage_decisions() -> None:
    alerts = tuple(
        DetectedAlert(
            source="prometheus",
            name=f"HighErrorRate{i}",
            starts_at=T0 - (10 - i) * M,
            url="http://prometheus:9090/graph?g0.expr=up",
            group_id=3,
        )
        for i in range(2)
    )
    detection = Detection(
        alerts=alerts,
        alert_count=25,
        sources=("prometheus",),
        triage=(
            TriageStep(at=T0 - 5 * M, by="U0BOB0000", decision="acknowledged", group_id=3, source="prometheus"),
            TriageStep(at=T0, by="U0ALICE00", decision="declared", group_id=3, source="prometheus"),
            TriageStep(at=T0 + M, by=None, decision="attached", group_id=4, source="grafana"),
            TriageStep(
                at=T0 + 2 * M, by="U0BOB0000", decision="declined", group_id=5, source="grafana", reason="noise"
            ),
        ),
    )
    text = render(detection, replace(INCIDENT, detected_at=T0 - 10 * M))
    assert "By 25 alerts from prometheus (the first started at 2026-12-07 13:55 UTC)." in text
    assert (
        "- [HighErrorRate0](http://prometheus:9090/graph?g0.expr=up) (prometheus, started 2026-12-07 13:55 UTC, group 3)"
        in text
    )
    assert "- and 23 more alerts (`GET /api/v1/incidents/7/alerts` lists them all)" in text
    assert "| Time to declare (declared − detected) | 10m |" in text
    assert "- 2026-12-07 14:00 UTC: bob acknowledged alert group 3 (prometheus)" in text
    assert "- 2026-12-07 14:05 UTC: alice declared INC-7 from alert group 3 (prometheus)" in text
    assert (
        "- 2026-12-07 14:06 UTC: Firebell (the source's declare rule) attached alert group 4 (grafana) to INC-7" in text
    )
    assert "- 2026-12-07 14:07 UTC: bob declined alert group 5 (grafana) (noise)" in text


def test_untrusted_alert_text_stays_literal_markdown() -> None:
    assert md_text("[click](javascript:alert(1)) *bold* <b>\nnext") == (
        "\\[click\\]\\(javascript:alert\\(1\\)\\) \\*bold\\* \\<b\\> next"
    )
    assert md_link("Disk", "javascript:alert(1)") == "Disk"
    assert md_link("Disk", "https://grafana/d/x?a=(1)") == "[Disk](https://grafana/d/x?a=%281%29)"
    assert md_link("Disk", "https://a b") == "Disk"
    long = md_text("word " * 100)
    assert len(long) <= 200 and long.endswith("…") and not long.endswith("wor…")
