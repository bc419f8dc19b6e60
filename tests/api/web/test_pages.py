"""The web view's pages over real HTTP: the list with its filters and pages, an incident's whole record, escaping,
security headers, and the three modes (off by default, open with a warning)."""

import logging
from datetime import timedelta

import httpx
import pytest

from firebell.api.web import pages
from firebell.config import policy_from_mapping
from firebell.domain.alert_sources import AlertSource
from firebell.domain.alerts import AlertKind
from firebell.domain.lifecycle import Action
from firebell.domain.policy import Policy
from firebell.services.action_items import add_action_item
from firebell.services.alerts.ingest import ingest_alerts
from firebell.services.incidents import DeclareRequest, declare_incident
from firebell.services.lifecycle import change_status
from firebell.services.paging.claims import send_due_pages
from firebell.services.paging.queries import list_pages
from firebell.services.paging.responses import acknowledge
from firebell.services.postmortem import save_sections
from firebell.services.roles import hand_over
from firebell.services.severity import change_severity
from tests.harness import Firebell
from tests.services.test_alerts import alert, group

ALICE, BOB, CAROL = "U0ALICE000", "U0BOB00000", "U0CAROL000"
SOURCE = AlertSource(name="prom", kind=AlertKind.ALERTMANAGER, token_env="T")


@pytest.fixture
def policy() -> Policy:
    """Two services; checkout pages Bob (on call) from SEV2 on."""
    return policy_from_mapping(
        {
            "services": [
                {"name": "checkout", "escalation_policy": "checkout"},
                {"name": "search", "escalation_policy": "checkout"},
            ],
            "schedules": [{"name": "primary", "layers": [{"members": [BOB]}]}],
            "escalation_policies": [
                {"name": "checkout", "steps": [{"notify": ["schedule:primary"], "escalate_after": "5m"}]}
            ],
            "paging": {"page_on_declare": "SEV2"},
        },
        source="test",
    )


def cell(section: str, user: str, name: str) -> int:
    """Where a person first shows in a table: by the name Firebell learned from Slack, or (not learned yet) their id."""
    found = [i for i in (section.find(f"<td>{name}</td>"), section.find(f"<td>{user}</td>")) if i >= 0]
    assert found, (user, section)
    return min(found)


def shown(page: httpx.Response) -> list[int]:
    """The incident numbers a list page links to, in order."""
    return [int(part.split('"', 1)[0]) for part in page.text.split('<a href="/incidents/')[1:]]


def test_the_incident_page_shows_its_whole_record_escaped(open_firebell: Firebell) -> None:
    fb, ctx = open_firebell, open_firebell.runtime.ctx
    assert fb.clock is not None
    result = ingest_alerts(ctx, SOURCE, group(alert("CheckoutErrors")))
    declare_incident(
        ctx,
        DeclareRequest(
            title="Checkout <script>alert(1)</script> failing",
            declared_by=ALICE,
            severity="SEV2",
            service="checkout",
            alert_group_id=result.group_id,
            description="Card payments time out",
        ),
    )
    room = fb.war_room(1).id
    send_due_pages(ctx)
    fb.clock.advance(timedelta(minutes=2, seconds=13))
    acknowledge(ctx, user=BOB, page_id=list_pages(ctx, incident=1)[0].id)
    change_severity(ctx, channel_id=room, actor=ALICE, severity="SEV1")
    hand_over(ctx, channel_id=room, actor=ALICE, user_id=CAROL)
    add_action_item(ctx, channel_id=room, actor=CAROL, text="Add a <b>timeout</b> alarm", owner=BOB, due="2026-12-01")
    change_status(ctx, channel_id=room, actor=CAROL, action=Action.RESOLVE)
    save_sections(
        ctx,
        number=1,
        actor=CAROL,
        summary="It was **bad**. <img src=x onerror=alert(2)> [docs](javascript:alert(3))",
        contributing_factors=None,
        lessons=None,
        impact_started_at=None,
        review_on=None,
    )

    page = httpx.get(f"{fb.url}/incidents/1")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src" not in csp and "default-src 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["referrer-policy"] == "no-referrer"
    html = page.text
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>timeout</b>" not in html and "&lt;b&gt;timeout&lt;/b&gt;" in html
    assert "<img" not in html and "onerror=alert(2)" in html  # as text only
    assert 'href="javascript' not in html and "<strong>bad</strong>" in html  # the draft's Markdown, made safe
    assert "Card payments time out" in html and "resolved" in html
    severity = html.split('id="severity"')[1].split("</section>")[0]
    assert severity.index("SEV2") < severity.index("SEV1")
    roles = html.split('id="roles"')[1].split("</section>")[0]
    assert cell(roles, ALICE, "alice") < cell(roles, CAROL, "carol") and "now" in roles
    assert "CheckoutErrors" in html.split('id="alerts"')[1].split("</section>")[0]
    paging = html.split('id="pages"')[1].split("</section>")[0]
    assert cell(paging, BOB, "bob") >= 0 and "after 2m" in paging and "acknowledge" in paging
    timeline = html.split('id="timeline"')[1].split("</section>")[0]
    assert all(kind in timeline for kind in ("declared", "severity_changed", "commander_changed", "status_changed"))
    assert "2026-12-01" in html.split('id="action-items"')[1]
    assert "Open view" in html  # the open mode's banner on every page

    style = httpx.get(f"{fb.url}/incidents/static/web.css")
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")
    for missing in ("/incidents/999", "/incidents/abc"):
        answer = httpx.get(f"{fb.url}{missing}")
        assert (answer.status_code == 404 and "INC-999" in answer.text) or "not an incident number" in answer.text


def test_the_list_filters_by_status_severity_service_and_day_and_pages(
    open_firebell: Firebell, monkeypatch: pytest.MonkeyPatch
) -> None:
    fb, ctx = open_firebell, open_firebell.runtime.ctx
    assert fb.clock is not None
    declare_incident(ctx, DeclareRequest(title="Payments down", declared_by=ALICE, severity="SEV1", service="checkout"))
    change_status(ctx, channel_id=fb.war_room(1).id, actor=ALICE, action=Action.MITIGATE)
    fb.clock.advance(timedelta(days=1))  # 2026-11-25
    declare_incident(ctx, DeclareRequest(title="Search slow", declared_by=BOB, severity="SEV3", service="search"))
    fb.clock.advance(timedelta(days=1))  # 2026-11-26
    declare_incident(ctx, DeclareRequest(title="Emails late", declared_by=CAROL, severity="SEV3"))
    change_status(ctx, channel_id=fb.war_room(3).id, actor=CAROL, action=Action.RESOLVE)

    def listed(**query: str) -> list[int]:
        answer = httpx.get(f"{fb.url}/incidents", params=query)
        assert answer.status_code == 200, answer.text
        return shown(answer)

    assert listed() == [3, 2, 1]
    assert listed(status="open") == [2, 1]
    assert listed(status="mitigated") == [1]
    assert listed(status="resolved") == [3]
    assert listed(status="closed") == []
    assert listed(severity="sev1") == [1]
    assert listed(service="search") == [2]
    assert listed(**{"from": "2026-11-25"}) == [3, 2]
    assert listed(to="2026-11-25") == [2, 1]
    assert listed(severity="SEV3", status="open") == [2]

    bad = httpx.get(
        f"{fb.url}/incidents",
        params={"status": "burning", "severity": "sev9", "service": "<nope>", "from": "yesterday"},
    )
    assert bad.status_code == 400
    assert "Valid statuses: open, investigating, mitigated, resolved, closed" in bad.text
    assert "Valid severities: SEV1, SEV2, SEV3, SEV4" in bad.text and "Valid services: checkout, search" in bad.text
    assert "YYYY-MM-DD" in bad.text and "&lt;nope&gt;" in bad.text and "<nope>" not in bad.text
    assert shown(bad) == []
    assert httpx.get(f"{fb.url}/incidents", params={"before": "-1"}).status_code == 400

    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    first = httpx.get(f"{fb.url}/incidents", params={"severity": "SEV3"})
    assert shown(first) == [3, 2] and "Older incidents" not in first.text
    first = httpx.get(f"{fb.url}/incidents")
    assert shown(first) == [3, 2]
    older = first.text.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    assert older == "/incidents?before=2"
    second = httpx.get(f"{fb.url}{older}")
    assert shown(second) == [1] and "Newest" in second.text and "Older incidents" not in second.text


def test_the_web_view_is_off_unless_turned_on(firebell: Firebell) -> None:
    declare_incident(firebell.runtime.ctx, DeclareRequest(title="Private outage", declared_by=ALICE))
    for path in (
        "/incidents",
        "/incidents/1",
        "/auth/slack/login",
        "/auth/slack/callback?code=1&state=2",
        "/auth/logout",
    ):
        answer = httpx.get(f"{firebell.url}{path}", follow_redirects=False)
        assert answer.status_code == 404, path
        assert "FIREBELL_WEB_VIEW=slack" in answer.text and "Private outage" not in answer.text
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_the_open_view_warns_at_start_and_has_no_sign_in(
    open_firebell: Firebell, caplog: pytest.LogCaptureFixture
) -> None:
    warnings = [r.getMessage() for r in caplog.get_records("setup") if r.levelno == logging.WARNING]
    assert any("FIREBELL_WEB_VIEW=open" in w and "ANYONE" in w for w in warnings)
    login = httpx.get(f"{open_firebell.url}/auth/slack/login", follow_redirects=False)
    assert login.status_code == 404 and "Sign-in is off" in login.text
    listing = httpx.get(f"{open_firebell.url}/incidents")
    assert listing.status_code == 200 and "Open view" in listing.text and "No incidents match" in listing.text
