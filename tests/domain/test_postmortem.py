"""The postmortem draft is a pure function of what was recorded."""

from datetime import UTC, date, datetime, timedelta

from firebell.domain.action_items import ActionItemView, ItemStatus
from firebell.domain.cadence import cadence_report
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.lifecycle import Status
from firebell.domain.policy import Policy
from firebell.domain.postmortem import (
    FACTOR_PROMPTS,
    LESSON_PROMPTS,
    PostmortemDraft,
    PostmortemSections,
    render_postmortem,
)
from firebell.domain.timeline import EventKind, TimelineEntry

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
M = timedelta(minutes=1)
NAMES = {"U0ALICE00": "Alice", "U0BOB0000": "Bob", "U0CAROL00": "Carol"}


def entry(minutes: float, kind: EventKind, actor: str | None, text: str, **data: object) -> TimelineEntry:
    return TimelineEntry(at=T0 + minutes * M, kind=kind, actor=actor, text=text, data=dict(data))


TIMELINE = [
    entry(0, EventKind.DECLARED, "U0ALICE00", "Declared INC-42 (SEV1): Checkout failing", commander="U0ALICE00"),
    entry(5, EventKind.PIN, "U0CAROL00", "DB CPU at 100%", pinned_by="U0BOB0000"),
    entry(10, EventKind.UPDATE, "U0ALICE00", "Failing over the DB", on_time=True),
    entry(
        20,
        EventKind.COMMANDER_CHANGED,
        "U0ALICE00",
        "Incident Commander handed over",
        user="U0BOB0000",
        previous="U0ALICE00",
    ),
    entry(40, EventKind.REMINDER, None, "Status update overdue (miss 1): last update 30m ago"),
    entry(72, EventKind.STATUS_CHANGED, "U0BOB0000", "Status changed from investigating to mitigated", to="mitigated"),
    entry(90, EventKind.STATUS_CHANGED, "U0BOB0000", "Status changed: fix", to="resolved", note="Index rebuilt"),
]
INCIDENT = IncidentSnapshot(
    id=1,
    number=42,
    title="Checkout failing",
    severity="SEV1",
    status=Status.RESOLVED,
    declared_by="U0ALICE00",
    declared_at=T0,
    roles={"commander": "U0BOB0000", "scribe": "U0CAROL00"},
    mitigated_at=T0 + 72 * M,
    resolved_at=T0 + 90 * M,
    customer_impact="Card payments failed for EU customers",
)
ITEMS = [
    ActionItemView(
        id=3,
        incident_number=42,
        text="Alert on replica lag | p99",
        owner="U0CAROL00",
        due_on=date(2026, 12, 1),
        status=ItemStatus.OPEN,
        created_at=T0,
        done_at=None,
    ),
    ActionItemView(
        id=4,
        incident_number=42,
        text="Runbook for failover",
        owner=None,
        due_on=None,
        status=ItemStatus.DONE,
        created_at=T0,
        done_at=T0 + M,
    ),
]


def draft(sections: PostmortemSections | None = None) -> str:
    return render_postmortem(
        PostmortemDraft(
            incident=INCIDENT,
            severity=Policy().severity("SEV1"),
            timeline=TIMELINE,
            cadence=cadence_report(TIMELINE, now=T0 + 100 * M),
            action_items=ITEMS,
            sections=sections or PostmortemSections(review_on=date(2026, 11, 29)),
            names=NAMES,
            generated_at=T0 + 100 * M,
        )
    )


def test_sections_come_in_review_order() -> None:
    text = draft()
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        "# INC-42: Checkout failing",
        "## Summary",
        "## Customer impact",
        "## Key times",
        "## Responders",
        "## Timeline",
        "## Communication cadence",
        "## Contributing factors",
        "## Lessons",
        "## Action items",
        "## Review",
    ]


def test_content_comes_from_the_record() -> None:
    text = draft()
    assert "Resolution: Index rebuilt" in text
    assert "**SEV1**: Significant customer-facing impact" in text
    assert "Card payments failed for EU customers" in text
    assert "| Time to mitigate | 1h 12m |" in text
    assert "| Time to resolve | 1h 30m |" in text
    assert "Time to detect" not in text  # unknown without an impact start
    assert "- Incident Commander: Alice, then Bob" in text
    assert "- Scribe: Carol" in text
    assert "- 2026-11-24 09:20 UTC: Alice handed command to Bob" in text
    assert "**2026-11-24 09:05:00** · Pinned · Carol (pinned by Bob): DB CPU at 100%" in text
    assert "**2026-11-24 09:40:00** · Reminder · Status update overdue" in text
    assert "Status updates due: 2; on time: 1 (50%)" in text
    assert "| 3 | Alert on replica lag \\| p99 | Carol | 2026-12-01 | open |" in text
    assert "| 4 | Runbook for failover | unowned | - | done |" in text
    assert "Review meeting by 2026-11-29" in text
    assert "U0ALICE00" not in text  # names, not ids


def test_blameless_prompts_until_people_write_their_own() -> None:
    text = draft()
    for prompt in (*FACTOR_PROMPTS, *LESSON_PROMPTS):
        assert f"- _{prompt}_" in text
    assert "who" not in " ".join(FACTOR_PROMPTS + LESSON_PROMPTS).lower().split()
    written = draft(
        PostmortemSections(
            summary="Checkout failed for 90 minutes.",
            contributing_factors="A missing index under Black Friday load.",
            lessons="Failover worked.",
            impact_started_at=T0 - 12 * M,
        )
    )
    assert "Checkout failed for 90 minutes." in written
    assert "A missing index under Black Friday load." in written
    assert FACTOR_PROMPTS[0] not in written
    assert "| Time to detect | 12m |" in written
    assert "| Impact started | 2026-11-24 08:48 UTC |" in written


def test_timeline_stamps_are_right_across_minute_hour_and_day_boundaries() -> None:
    """The renderer formats a stamp's minute once and reuses it: it must notice every change of minute,
    including one to the same minute of another hour or day."""
    base = datetime(2026, 11, 24, 23, 59, 58, 900_000, tzinfo=UTC)
    offsets = [0, 0.05, 1.2, 1.9, 2.0, 61.0, 3600.0, 3600.5, 86400.0 + 3600.0, 86400.0 * 31]
    timeline = [
        entry(0, EventKind.NOTE, "U0ALICE00", f"note {i}")._replace(at=base + timedelta(seconds=s))
        for i, s in enumerate(offsets)
    ]
    timeline.append(entry(0, EventKind.NOTE, None, "line one\nline two")._replace(at=base + timedelta(seconds=7)))
    text = render_postmortem(
        PostmortemDraft(
            incident=INCIDENT,
            severity=Policy().severity("SEV1"),
            timeline=timeline,
            cadence=cadence_report(timeline, now=base),
            action_items=[],
            sections=PostmortemSections(),
            names=NAMES,
            generated_at=base,
        )
    )
    stamps = [line.split("**")[1] for line in text.splitlines() if line.startswith("- **")]
    expected = sorted(e.at for e in timeline)
    assert stamps == [at.strftime("%Y-%m-%d %H:%M:%S") for at in expected]
    assert "- **2026-11-25 00:00:05** · Note · Firebell: line one\n  line two" in text
    assert "- **2026-11-24 23:59:58** · Note · Alice: note 0" in text
