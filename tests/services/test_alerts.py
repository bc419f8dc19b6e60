"""Ingesting alerts into the store: idempotent, reconciled, grouped, one transaction per request."""

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from firebell.domain.alert_sources import AlertSource, DeclareRule, SeverityFrom
from firebell.domain.alerts import AlertKind, AlertStatus, ParsedAlert, ParsedGroup
from firebell.domain.errors import UsageError
from firebell.domain.policy import Policy
from firebell.services.alerts.ingest import IngestResult, ingest_alerts
from firebell.services.context import Context
from firebell.services.incidents import DeclareRequest, declare_incident
from firebell.store.models import Alert, AlertGroup, Incident, TimelineEvent
from tests.clock import Clock

PROM = AlertSource(
    name="prom",
    kind=AlertKind.ALERTMANAGER,
    token_env="T",
    severity_from=SeverityFrom(map={"critical": "SEV2", "warning": "SEV3"}),
    declare=DeclareRule(min_severity="SEV2"),
)
T0 = datetime(2026, 11, 24, 8, 50, tzinfo=UTC)


def alert(
    name: str, status: str = "firing", *, service: str = "checkout", severity: str = "warning", **kw: Any
) -> ParsedAlert:
    fields: dict[str, Any] = {
        "fingerprint": f"fp-{name}",
        "status": AlertStatus(status),
        "labels": {"alertname": name, "service": service, "severity": severity},
        "annotations": {"summary": name},
        "starts_at": T0,
        "ends_at": T0 + timedelta(minutes=20) if status == "resolved" else None,
    }
    fields.update(kw)
    return ParsedAlert(**fields)


def group(*alerts: ParsedAlert, key: str = '{}:{service="checkout"}', **kw: Any) -> ParsedGroup:
    firing = any(a.status is AlertStatus.FIRING for a in alerts)
    status = AlertStatus.FIRING if firing else AlertStatus.RESOLVED
    return ParsedGroup(kind=AlertKind.ALERTMANAGER, status=status, alerts=alerts, group_key=key, **kw)


def stored(ctx: Context) -> list[Alert]:
    with ctx.db.read() as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


def groups(ctx: Context) -> list[AlertGroup]:
    with ctx.db.read() as session:
        return list(session.scalars(select(AlertGroup).order_by(AlertGroup.id)))


def test_the_same_firing_alert_fifty_times_is_one_alert(ctx: Context, clock: Clock) -> None:
    results = []
    for _ in range(50):
        results.append(ingest_alerts(ctx, PROM, group(alert("A"), alert("B"))))
        clock.advance(timedelta(seconds=30))
    [a, b] = stored(ctx)
    assert (a.deliveries, b.deliveries) == (50, 50) and a.occurrence == 1 and a.status == "firing"
    assert a.first_seen_at == datetime(2026, 11, 24, 9, tzinfo=UTC)
    assert a.last_seen_at == datetime(2026, 11, 24, 9, tzinfo=UTC) + timedelta(seconds=30 * 49)
    assert results[0].group_created and results[0].new_alert_ids == [a.id, b.id]
    assert all(not r.group_created and not r.new_alert_ids and r.repeated == 2 for r in results[1:])
    assert len(groups(ctx)) == 1


def test_resolve_then_fire_again_is_a_linked_new_occurrence(ctx: Context, clock: Clock) -> None:
    ingest_alerts(ctx, PROM, group(alert("A")))
    resolved = ingest_alerts(ctx, PROM, group(alert("A", "resolved"), notification_reason="all alerts resolved"))
    [first] = stored(ctx)
    assert resolved.resolved_alert_ids == [first.id] and resolved.group_closed
    assert first.status == "resolved" and first.ends_at == T0 + timedelta(minutes=20)  # from the payload
    # The resolved request again (a retry): counted, nothing else.
    again = ingest_alerts(ctx, PROM, group(alert("A", "resolved")))
    assert again.repeated == 1 and not again.resolved_alert_ids and again.group_id == resolved.group_id
    # A late copy of the old firing report (same startsAt) does not re-fire it.
    late = ingest_alerts(ctx, PROM, group(alert("A")))
    assert not late.refired_alert_ids and len(stored(ctx)) == 1
    clock.advance(timedelta(hours=1))
    refired = ingest_alerts(ctx, PROM, group(alert("A", starts_at=T0 + timedelta(hours=1))))
    first, second = stored(ctx)
    assert refired.refired_alert_ids == [second.id] and second.previous_id == first.id
    assert (second.occurrence, second.status, second.deliveries) == (2, "firing", 1)
    assert refired.group_created and refired.group_id != resolved.group_id  # the old group closed


def test_an_alert_missing_from_a_later_request_is_not_resolved(ctx: Context) -> None:
    ingest_alerts(ctx, PROM, group(alert("A"), alert("B")))
    result = ingest_alerts(
        ctx, PROM, group(alert("A"), truncated_alerts=12, notification_reason="repeat interval elapsed")
    )
    assert [a.status for a in stored(ctx)] == ["firing", "firing"] and not result.group_closed
    [only] = groups(ctx)
    assert only.truncated_alerts == 12 and only.notification_reason == "repeat interval elapsed"


def test_groups_by_sender_key_and_by_service_within_the_window(ctx: Context, clock: Clock) -> None:
    first = ingest_alerts(ctx, PROM, group(alert("A"), key="k1"))
    joined = ingest_alerts(ctx, PROM, group(alert("B"), key="k2"))  # same service, other sender group
    other = ingest_alerts(ctx, PROM, group(alert("C", service="search"), key="k3"))
    assert joined.group_id == first.group_id and other.group_id != first.group_id
    clock.advance(timedelta(minutes=5, seconds=1))
    later = ingest_alerts(ctx, PROM, group(alert("D"), key="k4"))  # outside the window: its own group
    assert later.group_created and later.group_id != first.group_id
    again = ingest_alerts(ctx, PROM, group(alert("B"), key="k2"))  # the key keeps leading to its group
    assert again.group_id == first.group_id and len(groups(ctx)) == 3


def test_declare_rule_and_severity(ctx: Context) -> None:
    triaged = ingest_alerts(ctx, PROM, group(alert("A", severity="warning")))
    assert triaged.severity == "SEV3" and not triaged.declare
    declared = ingest_alerts(ctx, PROM, group(alert("A", severity="warning"), alert("B", severity="critical")))
    assert declared.severity == "SEV2" and declared.declare
    with ctx.db.transaction() as session:
        row = session.get(AlertGroup, declared.group_id)
        assert row is not None
        row.decision = "declined"
    assert not ingest_alerts(ctx, PROM, group(alert("B", severity="critical"))).declare
    unmapped = PROM.model_copy(update={"severity_from": None})
    assert not ingest_alerts(ctx, unmapped, group(alert("Z", service="x", severity="critical"), key="other")).declare


def test_a_failure_inside_the_transaction_stores_nothing(ctx: Context) -> None:
    def boom(session: Session, stored_group: AlertGroup, result: IngestResult) -> None:
        assert result.new_alert_ids and stored_group.id == result.group_id
        raise RuntimeError("the store failed")

    with pytest.raises(RuntimeError):
        ingest_alerts(ctx, PROM, group(alert("A"), alert("B")), then=boom)
    assert stored(ctx) == [] and groups(ctx) == []


def test_a_group_linked_to_an_open_incident_reopens_when_its_alerts_fire_again(ctx: Context, clock: Clock) -> None:
    from firebell.services.incidents import DeclareRequest, declare_incident

    incident = declare_incident(ctx, DeclareRequest(title="Checkout", declared_by="U0ALICE00"))
    first = ingest_alerts(ctx, PROM, group(alert("A")))
    with ctx.db.transaction() as session:
        row = session.get(AlertGroup, first.group_id)
        assert row is not None
        row.incident_id = incident.id
    ingest_alerts(ctx, PROM, group(alert("A", "resolved")))
    clock.advance(timedelta(minutes=30))
    refired = ingest_alerts(ctx, PROM, group(alert("A", starts_at=T0 + timedelta(minutes=30))))
    assert refired.group_id == first.group_id and refired.incident_id == incident.id and not refired.group_created


def test_concurrent_requests_for_one_group_make_one_group(ctx: Context) -> None:
    batch = group(*(alert(f"A{i}") for i in range(20)))
    errors: list[BaseException] = []

    def post() -> None:
        try:
            ingest_alerts(ctx, PROM, batch)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(groups(ctx)) == 1
    with ctx.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 20
        assert set(session.scalars(select(Alert.deliveries))) == {8}


def test_default_policy_has_a_five_minute_window() -> None:
    assert Policy().alert_grouping_window == timedelta(minutes=5)


def test_long_text_from_the_sender_is_cut_to_its_column_not_refused(ctx: Context) -> None:
    long = "x" * 3000
    result = ingest_alerts(
        ctx,
        PROM,
        group(alert("A", service="s" * 300), notification_reason=long, external_url=long, title=long),
    )
    [stored_group] = groups(ctx)
    assert stored_group.id == result.group_id and stored_group.service == "s" * 200
    assert (len(stored_group.notification_reason or ""), len(stored_group.external_url or "")) == (200, 2000)
    assert len(stored_group.title or "") == 500


def test_declaring_from_a_group_links_it_and_dates_detection_from_its_first_alert(ctx: Context, clock: Clock) -> None:
    early = alert("A", starts_at=T0 - timedelta(minutes=7))
    result = ingest_alerts(ctx, PROM, group(early, alert("B")))
    request = DeclareRequest(title="Checkout errors", declared_by="U1", alert_group_id=result.group_id)
    declared = declare_incident(ctx, request)
    with ctx.db.read() as session:
        incident = session.get(Incident, declared.id)
        linked = session.get(AlertGroup, result.group_id)
        assert incident is not None and linked is not None
        assert incident.detected_at == T0 - timedelta(minutes=7) and incident.declared_at == clock()
        assert (linked.incident_id, linked.decision, linked.decided_by) == (incident.id, "declared", "U1")
        kinds = [e.kind for e in session.scalars(select(TimelineEvent).where(TimelineEvent.incident_id == incident.id))]
        assert kinds.count("alerts_linked") == 1
    with pytest.raises(UsageError, match="already belongs"):
        declare_incident(ctx, DeclareRequest(title="Again", declared_by="U2", alert_group_id=result.group_id))
    with pytest.raises(UsageError, match="does not exist"):
        declare_incident(ctx, DeclareRequest(title="Nothing", declared_by="U2", alert_group_id=9999))
