"""The postmortem's Paging section is a pure function of the incident's pages."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from firebell.domain.cadence import cadence_report
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.lifecycle import Status
from firebell.domain.policy import Policy
from firebell.domain.postmortem import PostmortemDraft, PostmortemSections, render_postmortem
from firebell.domain.postmortem_paging import Notified, PageRecord, PagingRecord, Response, render_paging

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)
NAMES = {"U0ALICE00": "Alice", "U0BOB0000": "Bob", "U0CAROL00": "Carol", "U0DAVE000": "Dave"}
INCIDENT = IncidentSnapshot(
    id=1,
    number=7,
    title="Checkout failing",
    severity="SEV1",
    status=Status.RESOLVED,
    declared_by="U0ALICE00",
    declared_at=T0,
    acknowledged_at=T0 + 133 * S,
)
ANSWERED = PageRecord(
    id=1,
    target="service:checkout",
    created_at=T0,
    status="acknowledged",
    acknowledged_by="U0BOB0000",
    acknowledged_at=T0 + 133 * S,
    notified=(
        Notified("U0CAROL00", T0, 0, 0, "schedule:checkout-primary", "sent"),
        Notified("U0DAVE000", T0, 0, 0, "user:U0DAVE000", "unreachable", "cannot_dm_bot"),
        Notified("U0BOB0000", T0 + 40 * S, 0, 1, "schedule:checkout-secondary", "sent"),
    ),
    responses=(Response("U0CAROL00", "cant", T0 + 40 * S), Response("U0BOB0000", "acknowledge", T0 + 133 * S)),
)
UNANSWERED = PageRecord(
    id=2,
    target="schedule:db-oncall",
    created_at=T0 + 600 * S,
    status="exhausted",
    paged_by="U0ALICE00",
    reason="need a DBA",
    notified=(
        Notified("U0DAVE000", T0 + 600 * S, 0, 0, "schedule:db-oncall", "sent"),
        Notified("U0DAVE000", T0 + 900 * S, 1, 0, "schedule:db-oncall", "sent"),
    ),
    responses=(Response("U0ALICE00", "escalate", T0 + 700 * S),),
)


def who(user: str | None) -> str:
    return NAMES.get(user or "", user or "Firebell")


def test_the_section_tells_who_was_paged_who_answered_and_how_long_it_took() -> None:
    lines = render_paging(PagingRecord((ANSWERED, UNANSWERED)), INCIDENT, who)
    assert lines[:4] == [
        "## Paging",
        "",
        "Time to acknowledge: **2m 13s** from the declare (first acknowledgement of the first page).",
        "",
    ]
    text = "\n".join(lines)
    assert (
        "**Page 1** to service checkout, automatically at 09:00:00 UTC\n\n"
        "- 09:00:00 UTC: paged Carol (schedule checkout-primary, step 1)\n"
        "- 09:00:00 UTC: paged Dave (Dave, step 1): could not be reached in Slack (cannot_dm_bot)\n"
        "- 09:00:40 UTC: paged Bob (schedule checkout-secondary, step 2)\n"
        "- 09:00:40 UTC: Carol couldn't take it\n"
        "- 09:02:13 UTC: Bob acknowledged after 2m 13s\n"
        "- Acknowledged by Bob after 2m 13s.\n"
    ) in text
    assert "**Page 2** to schedule db-oncall, by Alice at 09:10:00 UTC: need a DBA" in text
    assert "- 09:11:40 UTC: Alice escalated it by hand" in text
    assert "- 09:15:00 UTC: paged Dave (schedule db-oncall, step 1, round 2)" in text
    assert "**Nobody acknowledged it**; tried Dave. The announcement channel was told." in text


def test_no_pages_no_section_and_an_unacknowledged_incident_says_so() -> None:
    assert render_paging(PagingRecord(), INCIDENT, who) == []
    cancelled = replace(UNANSWERED, status="cancelled")
    lines = render_paging(PagingRecord((cancelled,)), replace(INCIDENT, acknowledged_at=None), who)
    assert "Time to acknowledge: _nobody acknowledged a page_." in lines
    assert "- Ended unacknowledged when the incident resolved." in lines


def test_the_draft_places_paging_after_the_responders() -> None:
    draft = PostmortemDraft(
        incident=INCIDENT,
        policy=Policy(),
        timeline=[],
        cadence=cadence_report([], now=T0),
        action_items=[],
        sections=PostmortemSections(),
        names=NAMES,
        paging=PagingRecord((ANSWERED,)),
    )
    markdown = render_postmortem(draft)
    assert markdown.index("## Responders") < markdown.index("## Paging") < markdown.index("## Timeline")
