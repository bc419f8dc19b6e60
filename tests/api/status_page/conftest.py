"""The status page served over real HTTP: the status-only app on the test database, with no Slack at all (the page
must not depend on it), on a hand-moved clock; data is set up through the publishing service and direct inserts."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine

from firebell.api.status_page.app import create_status_app
from firebell.api.status_page.cache import StatusPageCache
from firebell.domain.policy import Policy
from firebell.domain.status_page.vocabulary import ComponentStatus, PublicStatus
from firebell.emulator.server import AsgiServerThread
from firebell.services.context import Context
from firebell.services.status_page.publishing import draft_public_update, new_public_id
from firebell.services.status_page.revision import bump_revision
from firebell.store.database import Database
from firebell.store.models import StatusMaintenance
from tests.clock import Clock
from tests.services.test_use_cases import ALICE, declare_with_room

POLICY = Policy.model_validate(
    {
        "services": [
            {"name": "checkout", "escalation_policy": "checkout"},
            {"name": "search", "escalation_policy": "checkout"},
        ],
        "escalation_policies": [{"name": "checkout", "steps": [{"notify": ["user:U0ALICE00"]}]}],
        "status_page": {
            "title": "Acme status",
            "timezone": "Europe/Berlin",
            "components": [
                {"name": "Checkout API", "group": "Payments", "services": ["checkout"], "description": "Card payments"},
                {"name": "Refunds", "group": "Payments"},
                {"name": "Search", "services": ["search"]},
            ],
        },
    }
)
START = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)  # 14:00 in Berlin


@dataclass
class Site:
    """The status-only app serving over HTTP, and how a test sets up what it shows."""

    ctx: Context
    clock: Clock
    cache: StatusPageCache
    server: AsgiServerThread

    @property
    def url(self) -> str:
        """Where it listens."""
        return self.server.url

    def get(self, path: str, **headers: str) -> httpx.Response:
        """GET a path."""
        return httpx.get(f"{self.url}{path}", headers=headers, timeout=10)

    def incident(self, title: str, body: str, components: dict[str, ComponentStatus], severity: str = "SEV1") -> int:
        """Declare an incident and publish its first public update; returns its number."""
        number = declare_with_room(self.ctx, channel=f"C0ROOM{new_public_id()[:4].upper()}", severity=severity)
        self.publish(number, PublicStatus.INVESTIGATING, body, components, title=title)
        return number

    def publish(
        self,
        number: int,
        status: PublicStatus,
        body: str,
        components: dict[str, ComponentStatus],
        title: str | None = None,
    ) -> None:
        """Publish a public update as the IC."""
        draft_public_update(
            self.ctx,
            number=number,
            by=ALICE,
            status=status,
            body=body,
            components=components,
            title=title,
            publish=True,
        )

    def maintenance(self, title: str, components: list[str], starts: datetime, ends: datetime, body: str = "") -> str:
        """Schedule maintenance by a direct insert (its commands belong elsewhere); returns its public id."""
        public_id = new_public_id()
        with self.ctx.db.transaction() as session:
            session.add(
                StatusMaintenance(
                    public_id=public_id,
                    title=title,
                    body=body or f"{title}: no action needed.",
                    components=components,
                    starts_at=starts,
                    ends_at=ends,
                    created_by=ALICE,
                    created_at=self.clock.now,
                )
            )
            bump_revision(session, self.clock.now)
        return public_id

    def advance(self, delta: timedelta) -> None:
        """Let time pass."""
        self.clock.advance(delta)


@pytest.fixture
def site(clean_db: Engine) -> Iterator[Site]:
    """The status-only app on the test database (no Slack anywhere), at START on a hand-moved clock."""
    clock = Clock(START)
    ctx = Context(db=Database(clean_db), policy=POLICY, clock=clock)
    cache = StatusPageCache(ctx)
    server = AsgiServerThread(create_status_app(cache))
    server.start()
    try:
        yield Site(ctx=ctx, clock=clock, cache=cache, server=server)
    finally:
        server.stop(10)
