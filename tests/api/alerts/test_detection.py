"""An incident declared from alerts that came in through the webhook: its detection time is the first alert's
startsAt, `/incident times` says so, and the postmortem's Detection section lists the alerts, the durations
and who declared and attached (on a hand-moved clock)."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine

from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from firebell.services.alerts.links import Decision, link_group
from firebell.services.incidents import DeclareRequest, declare_incident
from firebell.store.models import AlertGroup, Incident
from tests.api.alerts.conftest import PROM_TOKEN
from tests.api.alerts.payloads import am_alert, am_group
from tests.clock import Clock
from tests.harness import Firebell, running_firebell
from tests.slack.test_postmortem import summaries
from tests.slack.test_postmortem_content import nth_draft, section
from tests.slack.test_times import run, shown, utc

MINUTE = timedelta(minutes=1)


@pytest.fixture
def clock() -> Clock:
    """Firebell's hand-moved clock, at the real time to the minute."""
    return Clock(datetime.now(UTC).replace(second=0, microsecond=0))


@pytest.fixture
def firebell(
    emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine, *, policy: Policy, clock: Clock
) -> Iterator[Firebell]:
    """Firebell with the alert sources, on the hand-moved clock, and the #alerts channel triage posts in."""
    emu.add_channel("alerts", [emu.user_id("alice")])
    with running_firebell(emu, slack, database_url, policy, clock=clock) as running:
        yield running


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000000000Z")


def send(firebell: Firebell, document: dict[str, object]) -> int:
    answer = httpx.post(
        f"{firebell.url}/api/v1/alerts/prometheus",
        content=json.dumps(document),
        headers={"Authorization": f"Bearer {PROM_TOKEN}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return int(answer.json()["group_id"])


def test_an_incident_from_alerts_measures_detection_from_its_first_alert(firebell: Firebell, clock: Clock) -> None:
    emu, ctx, now = firebell.emu, firebell.runtime.ctx, clock.now
    alice, bob = emu.user_id("alice"), emu.user_id("bob")
    checkout = send(
        firebell,
        am_group(
            am_alert("HighErrorRate", startsAt=stamp(now - 12 * MINUTE)),
            am_alert("<!channel> *LatencyHigh*", startsAt=stamp(now - 8 * MINUTE)),
            key="k-checkout",
        ),
    )
    search = send(
        firebell, am_group(am_alert("SearchSlow", service="search", startsAt=stamp(now - 5 * MINUTE)), key="k-search")
    )
    declare_incident(ctx, DeclareRequest(title="Checkout errors", declared_by=alice, alert_group_id=checkout))
    room = firebell.war_room(1).id
    assert firebell.incident(1).detected_at == now - 12 * MINUTE  # the first alert, not the declare

    times = shown(run(firebell, "times", room))
    assert f"*Detected*\n{utc(now - 12 * MINUTE)}" in times
    assert "*Time to declare* (declared − detected)\n12m" in times
    assert f"the first linked alert started at {utc(now - 12 * MINUTE)}" in times
    later = shown(run(firebell, "times detected 5m ago", room))  # later than the first alert: set, with a warning
    assert f"The first linked alert started at {utc(now - 12 * MINUTE)}, before this" in later
    run(firebell, "times detected 12m ago", room)
    run(firebell, "times impact 15m ago", room, user="bob")

    firebell.advance(MINUTE)
    with ctx.db.transaction() as session:  # triage's Attach, through the one linking seam
        group, incident = session.get(AlertGroup, search), session.get(Incident, firebell.incident(1).id)
        assert group is not None and incident is not None
        link_group(session, group, incident, decision=Decision.ATTACHED, by=bob, now=clock.now)
    firebell.advance(19 * MINUTE)
    run(firebell, "mitigate", room)
    firebell.advance(10 * MINUTE)
    run(firebell, "resolve", room)

    detection = section(nth_draft(firebell, 1), "Detection")
    assert f"By 3 alerts from prometheus (the first started at {utc(now - 12 * MINUTE)})." in detection
    assert (
        f"- [HighErrorRate](http://prometheus:9090/graph?g0.expr=up) (prometheus, started {utc(now - 12 * MINUTE)}, "
        f"group {checkout})"
    ) in detection
    # An alert name is the sender's text: literal in the Markdown, never a ping or emphasis.
    assert "\\<\\!channel\\> \\*LatencyHigh\\*" in detection and "<!channel>" not in detection
    assert (
        f"- [SearchSlow](http://prometheus:9090/graph?g0.expr=up) (prometheus, started {utc(now - 5 * MINUTE)}"
        in detection
    )
    assert "| Impact started | " + utc(now - 15 * MINUTE) + " |" in detection
    assert "| Time to detect (detected − impact started) | 3m |" in detection
    assert "| Time to declare (declared − detected) | 12m |" in detection
    assert "| Time to mitigate (from impact start) | 35m |" in detection
    assert "| Time to resolve (from impact start) | 45m |" in detection
    assert f"- {utc(now)}: alice declared INC-1 from alert group {checkout} (prometheus)" in detection
    assert f"- {utc(now + MINUTE)}: bob attached alert group {search} (prometheus) to INC-1" in detection

    firebell.settle()
    [summary] = summaries(firebell, room)
    fields = json.dumps(summary.blocks)
    assert "*Detected*" in fields and "by 3 alerts (prometheus)" in fields
    assert "*Time to detect*\\n3m" in fields and "*Time to declare*\\n12m" in fields
    shown_by_api = firebell.api("/api/v1/incidents/1").json()
    assert datetime.fromisoformat(shown_by_api["detected_at"]) == now - 12 * MINUTE
    assert datetime.fromisoformat(shown_by_api["impact_started_at"]) == now - 15 * MINUTE
