"""The pager: notify every page step whose time has come, claiming each move of a page once.

Like the cadence's due points, a batch of due pages is read, the plan for each is made outside the write (who is on
call is read then), and each move is a compare-and-set on the page's revision: of two processes looking at one
due page, one moves it and tells its people; the other's write matches nothing and it tells no one.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from firebell.domain.durations import format_duration
from firebell.domain.errors import UsageError
from firebell.domain.lifecycle import Status
from firebell.domain.oncall.escalation import Position
from firebell.domain.paging import PageStatus, PageTarget, Plan, by_hand, plan
from firebell.domain.policy import Policy
from firebell.domain.timeline import EventKind
from firebell.services.context import Context
from firebell.services.oncall.maintenance import maintenance_until
from firebell.services.paging.records import notify_person, post_notice, tried
from firebell.services.paging.targets import Route, people_of, route
from firebell.services.timeline import record_event, record_events
from firebell.store.models import Incident
from firebell.store.paging_models import Page

OPEN = (Status.INVESTIGATING.value, Status.MITIGATED.value)
MAX_PASSES = 20  # batches in one look: a page lost to another process is moved by it, not looked at again


@dataclass
class Move:
    """What one look at a due page decided (before the write that claims it)."""

    row: Any
    kind: str  # notify, hold, cancel, broken
    route: Route | None = None
    plan: Plan | None = None
    epoch: int = 0
    people: dict[str, tuple[str, Position]] = field(default_factory=dict)  # person -> (via, step that told them)
    empty: list[str] = field(default_factory=list)  # targets nobody covered
    retargeted: bool = False
    resumed: bool = False
    until: datetime | None = None
    reason: str | None = None


def send_due_pages(ctx: Context, *, batch: int = 200) -> int:
    """Move every page whose step is due; returns how many moves this process claimed."""
    now = ctx.clock()
    claimed = 0
    for _ in range(MAX_PASSES):
        with ctx.db.read() as session:
            rows = session.execute(
                select(
                    Page.id,
                    Page.incident_id,
                    Page.revision,
                    Page.target,
                    Page.service,
                    Page.policy,
                    Page.epoch,
                    Page.round,
                    Page.step,
                    Page.step_since,
                    Page.notified,
                    Page.held_until,
                    Incident.status.label("incident_status"),
                )
                .join(Incident, Incident.id == Page.incident_id)
                .where(Page.status == PageStatus.ACTIVE.value, Page.next_due_at <= now)
                .order_by(Page.next_due_at, Page.id)
                .limit(batch)
            ).all()
            holds = {r.id: maintenance_until(session, r.service, now) for r in rows if r.service}
        moves = [_decide(ctx, row, holds.get(row.id), now) for row in rows]
        if moves:
            # Not background: a page is someone being woken, ahead of outbox bookkeeping in SQLite's writer queue.
            with ctx.db.transaction(seals=False) as session:
                claimed += sum(_apply(session, ctx.policy, move, now) for move in moves)
        if len(rows) < batch:
            break
    return claimed


def _decide(ctx: Context, row: Any, hold: datetime | None, now: datetime) -> Move:
    if row.incident_status not in OPEN:
        return Move(row, "cancel")
    if hold is not None:
        return Move(row, "hold", until=hold)
    try:
        found = route(ctx.policy, PageTarget.parse(row.target))
    except (UsageError, ValueError) as exc:
        return Move(row, "broken", reason=str(exc))
    position, notified, epoch = Position(row.round, row.step, row.step_since), row.notified, row.epoch
    retargeted = found.policy != row.policy
    resumed = row.held_until is not None
    if retargeted or resumed:
        position = Position(0, 0, now) if retargeted else Position(row.round, row.step, now)
        notified, epoch = False, epoch + 1
    move = Move(row, "notify", route=found, epoch=epoch, retargeted=retargeted, resumed=resumed)
    move.plan = plan(found.steps, found.repeat, position, notified=notified, now=now)
    _reach(ctx, move, now)
    # A step that reaches nobody (nobody covers the schedule now) passes on at once, until someone is reached.
    for _ in range(len(found.steps) * (found.repeat + 1)):
        if move.people or not move.plan.notify or move.plan.exhausted:
            break
        move.plan = by_hand(found.steps, found.repeat, move.plan.position, now)
        _reach(ctx, move, now)
    return move


def _reach(ctx: Context, move: Move, now: datetime) -> None:
    assert move.route is not None and move.plan is not None
    for position in move.plan.notify:
        targets = move.route.steps[position.step].targets
        people = people_of(ctx, targets, now)
        covered = {via for _, via in people}
        move.empty.extend(t for t in targets if t not in covered)
        for user, via in people:
            move.people.pop(user, None)
            move.people[user] = (via, position)  # told once, at the last step they are on


def _claim(session: Session, row: Any, values: dict[str, Any]) -> bool:
    won = session.execute(
        update(Page)
        .where(Page.id == row.id, Page.revision == row.revision, Page.status == PageStatus.ACTIVE.value)
        .values(revision=row.revision + 1, **values)
        .returning(Page.id)
        .execution_options(synchronize_session=False)
    ).first()
    return won is not None


def _apply(session: Session, policy: Policy, move: Move, now: datetime) -> int:
    row = move.row
    # The incident first, then its page: the order answers (acknowledge, escalate, resolve) lock them in, so the
    # pager and an answer wait for each other rather than deadlock on PostgreSQL.
    session.get(Incident, row.incident_id, with_for_update=True)
    if move.kind == "cancel":
        return int(_claim(session, row, {"status": PageStatus.CANCELLED.value, "next_due_at": None, "ended_at": now}))
    if move.kind == "hold":
        assert move.until is not None
        values = {"held_until": move.until, "next_due_at": move.until, "notified": False, "step_since": move.until}
        if not _claim(session, row, values):
            return 0
        if row.held_until != move.until:
            _held(session, row, move.until, now)
        return 1
    if move.kind == "broken":
        values = {"status": PageStatus.EXHAUSTED.value, "next_due_at": None, "ended_at": now}
        if not _claim(session, row, values):
            return 0
        incident = session.get(Incident, row.incident_id)
        assert incident is not None
        text = f"Paging stopped: {move.reason}"
        record_event(session, incident, kind=EventKind.PAGE_ENDED, at=now, actor=None, text=text, data={})
        return 1
    return _notify(session, policy, move, now)


def _held(session: Session, row: Any, until: datetime, now: datetime) -> None:
    incident = session.get(Incident, row.incident_id)
    assert incident is not None
    text = f"Paging held: {row.service} is in maintenance for {format_duration(until - now)}"
    data = {"page_id": row.id, "service": row.service, "until": until.isoformat()}
    record_event(session, incident, kind=EventKind.PAGE_HELD, at=now, actor=None, text=text, data=data)
    key = f"page:{row.id}:held:{until.isoformat()}"
    post_notice(session, incident, notice="page_held", key=key, now=now, data=data)


def _notify(session: Session, policy: Policy, move: Move, now: datetime) -> int:
    row, found, p = move.row, move.route, move.plan
    assert found is not None and p is not None
    values: dict[str, Any] = {
        "epoch": move.epoch,
        "round": p.position.round,
        "step": p.position.step,
        "step_since": p.position.since,
        "notified": True,
        "held_until": None,
        "policy": found.policy,
        "next_due_at": p.due,
    }
    if p.exhausted:
        values.update(status=PageStatus.EXHAUSTED.value, next_due_at=None, ended_at=now)
    if not _claim(session, row, values):
        return 0
    page = session.get(Page, row.id)
    incident = session.get(Incident, row.incident_id)
    assert page is not None and incident is not None
    session.refresh(page)
    base = {"page_id": page.id, "epoch": move.epoch}
    if move.retargeted:
        text = f"{row.service}'s escalation policy is now {found.policy}: the page follows it from its first step"
        data = {**base, "from": row.policy, "to": found.policy}
        record_event(session, incident, kind=EventKind.PAGE_RETARGETED, at=now, actor=None, text=text, data=data)
    if move.resumed:
        data = {**base, "service": row.service}
        text = f"Maintenance of {row.service} ended: paging resumed"
        record_event(session, incident, kind=EventKind.PAGE_RESUMED, at=now, actor=None, text=text, data=data)
        post_notice(
            session, incident, notice="page_resumed", key=f"page:{page.id}:{move.epoch}:resumed", now=now, data=data
        )
    events = []
    for user, (via, position) in move.people.items():
        notify_person(session, policy, page, incident, user=user, via=via, now=now)
        step = {"round": position.round + 1, "step": position.step + 1}
        events.append(
            {
                "incident_id": incident.id,
                "kind": EventKind.PAGE_NOTIFIED,
                "at": now,
                "actor": None,
                "text": f"Paged {user} via {via} (step {step['step']}, round {step['round']})",
                "data": {**base, **step, "user": user, "via": via},
            }
        )
    record_events(session, events)
    if move.people or move.empty:
        data = {
            **base,
            "users": list(move.people),
            "via": sorted({via for via, _ in move.people.values()}),
            "nobody": sorted(set(move.empty)),
            "round": p.position.round + 1,
            "step": p.position.step + 1,
        }
        key = f"page:{page.id}:{move.epoch}:{p.position.round}:{p.position.step}:notified"
        post_notice(session, incident, notice="page_notified", key=key, now=now, data=data)
    if p.exhausted:
        _unanswered(session, page, incident, now)
    return 1


def _unanswered(session: Session, page: Page, incident: Incident, now: datetime) -> None:
    people = tried(session, page.id)
    text = "Nobody acknowledged the page" + (f"; tried {', '.join(people)}" if people else "; nobody was on call")
    data = {"page_id": page.id, "page_target": page.target, "tried": people}
    record_event(session, incident, kind=EventKind.PAGE_UNANSWERED, at=now, actor=None, text=text, data=data)
    post_notice(
        session, incident, notice="page_unanswered", key=f"page:{page.id}:unanswered", now=now, data=data, announce=True
    )
