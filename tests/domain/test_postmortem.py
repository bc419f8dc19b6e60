"""The postmortem draft is a pure function of what was recorded."""

from dataclasses import replace
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


def draft(sections: PostmortemSections | None = None, incident: IncidentSnapshot = INCIDENT) -> str:
    return render_postmortem(
        PostmortemDraft(
            incident=incident,
            policy=Policy(),
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
        "## Detection",
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
    assert "It was resolved at 10:30 UTC by Bob: Index rebuilt." in text
    assert "**Peak severity SEV1**: Significant customer-facing impact" in text
    assert "Card payments failed for EU customers" in text
    assert "| Time to mitigate | 1h 12m |" in text
    assert "| Time to resolve | 1h 30m |" in text
    assert "| Measured from | declare (impact start not recorded) |" in text
    assert "| Customer impact duration | at least 1h 12m (declare to mitigation; impact start not recorded) |" in text
    assert "| Time to detect |" not in text  # unknown without an impact start
    assert "- Incident Commanders in turn: Alice, then Bob" in text
    assert "- Carol (scribe): wrote 1 pinned message; owns action item #3" in text
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
        ),
        replace(INCIDENT, impact_started_at=T0 - 12 * M),
    )
    assert "Checkout failed for 90 minutes." in written
    assert "A missing index under Black Friday load." in written
    assert FACTOR_PROMPTS[0] not in written
    assert "| Time to detect | 12m |" in written
    assert "| Impact started | 2026-11-24 08:48 UTC |" in written
    assert "Draft summary" not in written


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
            policy=Policy(),
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


def render(timeline: list[TimelineEntry], incident: IncidentSnapshot = INCIDENT, **sections: object) -> str:
    return render_postmortem(
        PostmortemDraft(
            incident=incident,
            policy=Policy(),
            timeline=timeline,
            cadence=cadence_report(timeline, now=T0 + 100 * M),
            action_items=ITEMS,
            sections=PostmortemSections(**sections),  # type: ignore[arg-type]
            names=NAMES,
            generated_at=T0 + 100 * M,
            war_room_url="https://slack.com/app_redirect?channel=C0ROOM",
        )
    )


RAISED_THEN_LOWERED = [
    entry(0, EventKind.DECLARED, "U0ALICE00", "Declared INC-42 (SEV3): Checkout failing", severity="SEV3"),
    entry(
        8,
        EventKind.SEVERITY_CHANGED,
        "U0BOB0000",
        "Severity raised from SEV3 to SEV1",
        **{"from": "SEV3", "to": "SEV1"},
    ),
    entry(50, EventKind.SEVERITY_CHANGED, "U0BOB0000", "Severity lowered", **{"from": "SEV1", "to": "SEV2"}),
    *TIMELINE[1:],
]


def test_customer_impact_shows_the_peak_severity_and_its_history() -> None:
    """The incident ends at SEV2 but was SEV1 for 42 minutes: the impact section says SEV1."""
    text = render(RAISED_THEN_LOWERED, replace(INCIDENT, severity="SEV2"))
    assert "**Peak severity SEV1**: Significant customer-facing impact" in text
    assert "- 2026-11-24 09:00 UTC: SEV3 (set by Alice)" in text
    assert "- 2026-11-24 09:08 UTC: SEV1 (set by Bob)" in text
    assert "- 2026-11-24 09:50 UTC: SEV2 (set by Bob)" in text
    assert "Severity went SEV3 → SEV1 → SEV2, peaking at SEV1" in text


def test_every_participant_is_listed_with_their_roles() -> None:
    timeline = [
        *TIMELINE,
        entry(12, EventKind.NOTE, "U0DAVE000", "Saw the same on the EU shards"),
        entry(14, EventKind.ROLE_ASSIGNED, "U0BOB0000", "Role assigned: comms", role="comms", user="U0ERIN000"),
        entry(15, EventKind.UPDATE, "U0ERIN000", "Customers notified", on_time=True),
        entry(16, EventKind.UPDATE, "U0ERIN000", "Status page updated", on_time=True),
        entry(30, EventKind.RUNBOOK_STEP, "U0FRANK00", "Step 2 done", run=1, step=2),
    ]
    text = render(timeline)
    section = text.split("## Responders")[1].split("## Timeline")[0]
    assert "- Alice (declarer, Incident Commander): posted 1 status update" in section
    assert "- Bob (Incident Commander): changed the status 2 times; pinned 1 message" in section
    assert "- Carol (scribe): wrote 1 pinned message; owns action item #3" in section
    assert "- U0ERIN000 (comms): posted 2 status updates" in section
    assert "- U0DAVE000: added 1 note" in section
    assert "- U0FRANK00: ticked off 1 runbook step" in section
    # Role holders before those without a role.
    assert section.index("(comms)") < section.index("U0DAVE000")


def test_times_count_from_the_impact_start_when_known_and_say_so() -> None:
    text = render(TIMELINE, replace(INCIDENT, impact_started_at=T0 - 12 * M))
    assert "| Time to detect | 12m |" in text
    assert "| Time to mitigate | 1h 24m |" in text
    assert "| Time to resolve | 1h 42m |" in text
    assert "| Measured from | impact start |" in text
    assert "| Customer impact duration | 1h 24m (impact start to mitigation) |" in text
    assert "War room: [#inc-42-checkout](https://slack.com/app_redirect?channel=C0ROOM)" in render(
        TIMELINE, replace(INCIDENT, channel_name="inc-42-checkout")
    )


def test_the_summary_is_a_drafted_paragraph_marked_for_editing() -> None:
    text = render(RAISED_THEN_LOWERED, replace(INCIDENT, severity="SEV2", impact_started_at=T0 - 12 * M))
    summary = text.split("## Summary")[1].split("## Customer impact")[0]
    assert "**Draft summary, written by Firebell from the record: edit it before the review.**" in summary
    assert "It was declared as SEV3 by Alice at 09:00 UTC, 12m after the impact started at 08:48 UTC." in summary
    assert "Customer impact: Card payments failed for EU customers." in summary
    assert "Customers were affected for 1h 24m, until it was mitigated at 10:12 UTC by Bob." in summary
    assert "It was resolved at 10:30 UTC by Bob: Index rebuilt." in summary
    assert "3 people took part." in summary
