"""The paging engine on a hand-moved clock against the store: pages claimed by the real pager code, notifications,
answers. What Slack then shows (the DM, its buttons, war-room notices) is tested through the emulator in
tests/slack/paging/."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, delete, select

from firebell.config import policy_from_mapping
from firebell.domain.policy import Policy
from firebell.services.context import Context
from firebell.services.incidents import DeclareRequest, declare_incident
from firebell.services.paging.claims import send_due_pages
from firebell.services.paging.pages import pages_for_declare
from firebell.store.database import Database
from firebell.store.models import Effect, Incident, TimelineEvent
from firebell.store.paging_models import Page, PageNotification
from tests.clock import Clock

POLICY = """
services:
  - name: checkout
    escalation_policy: checkout
  - name: search
    escalation_policy: search
schedules:
  - name: primary
    layers:
      - members: [U01ALICE, U02BOB]
        rotate_every: 1d
        handoff: "09:00"
        start: 2026-11-23
  - name: secondary
    layers:
      - members: [U03CAROL]
  - name: ic-rotation
    layers:
      - members: [U05IVY]
  - name: nights
    layers:
      - members: [U06NIGHT]
        only: "mon-sun 22:00-06:00"
escalation_policies:
  - name: checkout
    steps:
      - notify: [schedule:primary]
        escalate_after: 5m
      - notify: [schedule:secondary, user:U04ERIN]
        escalate_after: 10m
    repeat: 1
  - name: search
    steps:
      - notify: [schedule:nights]
        escalate_after: 5m
      - notify: [user:U04ERIN]
        escalate_after: 5m
paging:
  page_on_declare: SEV2
  incident_commanders: ic-rotation
"""

START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday; Bob's day on the primary rotation


def paging_policy(**changes: Any) -> Policy:
    """The test policy, with top-level keys replaced."""
    mapping = yaml.safe_load(POLICY)
    mapping.update(changes)
    return policy_from_mapping(mapping, source="test")


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def ctx(clean_db: Engine, clock: Clock) -> Context:
    return Context(db=Database(clean_db), policy=paging_policy(), clock=clock)


def declare(ctx: Context, *, severity: str = "SEV2", service: str | None = "checkout", channel: str = "C0ROOM1") -> int:
    """Declare an incident for `service` (its war room `channel`) and start the pages the declare rules want;
    returns the incident's id."""
    snapshot = declare_incident(ctx, DeclareRequest(title="Checkout is down", declared_by="U09DECL", severity=severity))
    with ctx.db.transaction() as session:
        incident = session.scalars(select(Incident).where(Incident.number == snapshot.number)).one()
        incident.service, incident.channel_id = service, channel
        session.execute(delete(Page).where(Page.incident_id == incident.id))  # made before the service was set
        pages_for_declare(session, ctx.policy, incident, now=ctx.clock())
        return incident.id


def notified(ctx: Context, incident_id: int) -> list[tuple[str, int, int]]:
    """(person, round, step) of every notification, oldest first."""
    with ctx.db.read() as session:
        rows = session.execute(
            select(PageNotification.user_id, PageNotification.round, PageNotification.step)
            .where(PageNotification.incident_id == incident_id)
            .order_by(PageNotification.id)
        ).all()
    return [(r.user_id, r.round, r.step) for r in rows]


def page_dms(ctx: Context) -> list[str]:
    """The idempotency keys of every page DM queued in the outbox."""
    with ctx.db.read() as session:
        return list(session.scalars(select(Effect.idem_key).where(Effect.kind == "page_dm").order_by(Effect.id)))


def pages(ctx: Context, incident_id: int) -> list[Page]:
    with ctx.db.read() as session:
        return list(session.scalars(select(Page).where(Page.incident_id == incident_id).order_by(Page.id)))


def events(ctx: Context, incident_id: int, kind: str) -> list[TimelineEvent]:
    with ctx.db.read() as session:
        query = select(TimelineEvent).where(TimelineEvent.incident_id == incident_id, TimelineEvent.kind == kind)
        return list(session.scalars(query.order_by(TimelineEvent.id)))


def notices(ctx: Context, name: str) -> list[dict[str, Any]]:
    """Payloads of the war-room / announcement notices of this name queued in the outbox."""
    with ctx.db.read() as session:
        payloads = session.scalars(select(Effect.payload).where(Effect.kind == "post_notice").order_by(Effect.id))
        return [p for p in payloads if p.get("notice") == name]


Look = Callable[[], int]


def later(ctx: Context, clock: Clock, delta: timedelta) -> int:
    """Let `delta` pass, then let the pager look; returns how many page moves it claimed."""
    clock.advance(delta)
    return send_due_pages(ctx)
