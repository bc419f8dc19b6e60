"""Public updates on the real store: drafts wait for the IC, only published updates count, the page revision and the
public cadence follow publishing, and bad input changes nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from firebell.domain.errors import NotPermitted, UsageError
from firebell.domain.policy import Policy
from firebell.domain.status_page.vocabulary import ComponentStatus, PublicStatus
from firebell.services.context import Context
from firebell.services.status_page.publishing import (
    UpdateNotFound,
    approve_public_update,
    draft_public_update,
    reject_public_update,
)
from firebell.services.status_page.revision import current_revision
from firebell.store.models import StatusIncident, StatusUpdate
from tests.clock import Clock
from tests.services.test_use_cases import ALICE, BOB, declare_with_room, events

ROOM = "C0ROOM001"
POLICY = Policy.model_validate(
    {
        "services": [{"name": "checkout", "escalation_policy": "checkout"}],
        "escalation_policies": [{"name": "checkout", "steps": [{"notify": ["user:U0ALICE00"]}]}],
        "status_page": {"components": [{"name": "Checkout API", "group": "Payments", "services": ["checkout"]}]},
    }
)


@pytest.fixture
def sp_ctx(ctx: Context) -> Context:
    return Context(db=ctx.db, policy=POLICY, clock=ctx.clock)


def rows(ctx: Context) -> list[tuple[str, str]]:
    with ctx.db.read() as session:
        return [(u.state, u.body) for u in session.scalars(select(StatusUpdate).order_by(StatusUpdate.id))]


def test_a_draft_waits_for_the_ic_and_publishing_reaches_the_page(sp_ctx: Context, clock: Clock) -> None:
    declare_with_room(sp_ctx, severity="SEV1")  # Alice declared: she is the IC
    before = _revision(sp_ctx)
    draft = draft_public_update(
        sp_ctx,
        channel_id=ROOM,
        by=BOB,
        status=PublicStatus.INVESTIGATING,
        body="We are investigating failed card payments.",
        components={"checkout api": ComponentStatus.PARTIAL_OUTAGE},
        title="Card payments failing",
    )
    assert draft.state == "draft" and draft.components == {"checkout-api": ComponentStatus.PARTIAL_OUTAGE}
    assert _revision(sp_ctx) == before  # nothing public yet
    with pytest.raises(NotPermitted, match=r"permissions\.publish"):
        approve_public_update(sp_ctx, draft.id, by=BOB)
    clock.advance(timedelta(minutes=1))
    published = approve_public_update(sp_ctx, draft.id, by=ALICE)
    assert published.state == "published" and published.decided_by == ALICE and published.published_at == clock.now
    assert _revision(sp_ctx) == before + 1
    with sp_ctx.db.read() as session:
        si = session.scalars(select(StatusIncident)).one()
        assert (si.status, si.impact, si.title) == ("investigating", "major", "Card payments failing")
        assert si.next_update_due_at == clock.now + timedelta(minutes=30)  # SEV1's public_update_interval
    kinds = [kind for kind, _, _ in events(sp_ctx)]
    assert kinds.count("public_update_drafted") == 1 and kinds.count("public_update_published") == 1
    with pytest.raises(UpdateNotFound, match="already published"):
        approve_public_update(sp_ctx, draft.id, by=ALICE)


def test_the_ic_publishes_directly_and_resolving_ends_the_cadence(sp_ctx: Context) -> None:
    declare_with_room(sp_ctx, severity="SEV1")
    draft_public_update(
        sp_ctx,
        channel_id=ROOM,
        by=ALICE,
        status=PublicStatus.IDENTIFIED,
        body="Found it.",
        components={},
        title="Payments",
        publish=True,
    )
    draft_public_update(
        sp_ctx, channel_id=ROOM, by=ALICE, status=PublicStatus.RESOLVED, body="Fixed.", components={}, publish=True
    )
    with sp_ctx.db.read() as session:
        si = session.scalars(select(StatusIncident)).one()
        assert si.status == "resolved" and si.resolved_at is not None and si.next_update_due_at is None
    assert rows(sp_ctx) == [("published", "Found it."), ("published", "Fixed.")]


def test_a_newer_draft_supersedes_and_a_rejection_says_why(sp_ctx: Context) -> None:
    declare_with_room(sp_ctx)
    first = draft_public_update(
        sp_ctx, channel_id=ROOM, by=BOB, status=PublicStatus.INVESTIGATING, body="v1", components={}, title="T"
    )
    second = draft_public_update(
        sp_ctx, channel_id=ROOM, by=BOB, status=PublicStatus.INVESTIGATING, body="v2", components={}
    )
    with pytest.raises(UpdateNotFound, match="already superseded"):
        approve_public_update(sp_ctx, first.id, by=ALICE)
    reject_public_update(sp_ctx, second.id, by=ALICE, reason="too much detail")
    assert rows(sp_ctx) == [("superseded", "v1"), ("rejected", "v2")]
    assert ("public_update_rejected", ALICE, "Public update not published: too much detail") in events(sp_ctx)


def test_bad_input_changes_nothing(sp_ctx: Context) -> None:
    declare_with_room(sp_ctx)
    with pytest.raises(UsageError, match="needs a public title"):
        draft_public_update(sp_ctx, channel_id=ROOM, by=BOB, status=PublicStatus.INVESTIGATING, body="x", components={})
    with pytest.raises(UsageError, match=r"Unknown component 'Search'\. Components: checkout-api\."):
        draft_public_update(
            sp_ctx,
            channel_id=ROOM,
            by=BOB,
            status=PublicStatus.INVESTIGATING,
            body="x",
            components={"Search": ComponentStatus.MAJOR_OUTAGE},
            title="T",
        )
    with pytest.raises(UsageError, match="needs text"):
        draft_public_update(
            sp_ctx, channel_id=ROOM, by=BOB, status=PublicStatus.INVESTIGATING, body="  ", components={}
        )
    assert rows(sp_ctx) == []
    with sp_ctx.db.read() as session:
        assert session.scalars(select(StatusIncident)).all() == []


def _revision(ctx: Context) -> int:
    with ctx.db.read() as session:
        return current_revision(session)
