"""The postmortem draft's Paging section, read from the paging tables (rows as the engine writes them)."""

from datetime import timedelta

from sqlalchemy import select

from firebell.store.models import Incident, Person
from firebell.store.paging_models import Page, PageNotification, PageResponse
from tests.harness import Firebell


def test_the_draft_tells_who_was_paged_and_who_answered(firebell: Firebell) -> None:
    emu = firebell.emu
    bob, carol = emu.user_id("bob"), emu.user_id("carol")
    firebell.driver.slash_command("/incident", "declare sev1 Checkout failing", user="alice", channel="general")
    firebell.war_room(1)
    with firebell.runtime.ctx.db.transaction() as session:
        incident = session.scalars(select(Incident)).one()
        t0 = incident.declared_at
        incident.acknowledged_at = t0 + timedelta(seconds=95)
        session.add_all(
            [Person(user_id=bob, name="Bob", updated_at=t0), Person(user_id=carol, name="Carol", updated_at=t0)]
        )
        page = Page(
            incident_id=incident.id,
            target="service:checkout",
            service="checkout",
            created_at=t0,
            status="acknowledged",
            step_since=t0,
            acknowledged_at=t0 + timedelta(seconds=95),
            acknowledged_by=bob,
        )
        session.add(page)
        session.flush()
        for user, step, at in ((carol, 0, t0), (bob, 1, t0 + timedelta(seconds=30))):
            session.add(
                PageNotification(
                    page_id=page.id,
                    incident_id=incident.id,
                    user_id=user,
                    epoch=0,
                    round=0,
                    step=step,
                    via="schedule:checkout-primary",
                    at=at,
                    outcome="sent",
                )
            )
        for user, kind, after in ((carol, "cant", 30), (bob, "acknowledge", 95)):
            session.add(
                PageResponse(
                    page_id=page.id,
                    incident_id=incident.id,
                    user_id=user,
                    kind=kind,
                    at=t0 + timedelta(seconds=after),
                    once_key=f"{kind}:{page.id}:{user}",
                )
            )
    draft = firebell.api("/api/v1/incidents/1/postmortem").text
    section = draft[draft.index("## Paging") : draft.index("## Timeline")]
    assert "Time to acknowledge: **1m 35s** from the declare" in section
    assert "**Page 1** to service checkout, automatically at" in section
    assert "paged Carol (schedule checkout-primary, step 1)" in section
    assert "Carol couldn't take it" in section and "Bob acknowledged after 1m 35s" in section
    assert "- Acknowledged by Bob after 1m 35s." in section
    assert firebell.api("/api/v1/incidents/1").json()["acknowledged_at"] is not None
