"""Action items: add, list, complete, reassign; the daily follow-up of overdue ones; completion rates."""

from collections import defaultdict
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from firebell.domain.action_items import (
    ActionItemView,
    CompletionStats,
    ItemStatus,
    completion_by_period,
    parse_due,
    period_start,
)
from firebell.domain.errors import FirebellError, UsageError
from firebell.domain.free_text import refuse_nul
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.lifecycle import Operation
from firebell.domain.naming import incident_label
from firebell.domain.timeline import EventKind
from firebell.services.changes import guard, incident_change
from firebell.services.context import Context
from firebell.services.effects import EffectKind, enqueue, enqueue_notice
from firebell.services.incidents import load_by_channel, load_by_number, snapshot
from firebell.services.timeline import record_event
from firebell.store.models import ActionItem, Incident, TimelineEvent


class ActionItemNotFound(FirebellError):
    """No action item with that number."""


def view(item: ActionItem, number: int) -> ActionItemView:
    """The domain view of a stored item."""
    return ActionItemView(
        id=item.id,
        incident_number=number,
        text=item.text,
        owner=item.owner,
        due_on=item.due_on,
        status=ItemStatus(item.status),
        created_at=item.created_at,
        done_at=item.done_at,
    )


MAX_ACTION_TEXT = 500  # as the add-action form allows


def add_action_item(
    ctx: Context, *, channel_id: str, actor: str, text: str, owner: str | None, due: str | date | None
) -> ActionItemView:
    """Record an action item on the incident of this war room."""
    refuse_nul(text, "action item")
    text = " ".join(text.split())
    if not text:
        raise UsageError("An action item needs a description of what to do.")
    if len(text) > MAX_ACTION_TEXT:
        raise UsageError(
            f"An action item is one clear task in at most {MAX_ACTION_TEXT} characters (this one has {len(text)}); "
            "put the detail in the postmortem and link it."
        )
    with incident_change(ctx, channel_id=channel_id) as change:
        change.guard(Operation.ACTION_ITEMS, actor=actor)
        due_on = parse_due(due, today=change.now.date()) if isinstance(due, str) else due
        item = ActionItem(
            incident_id=change.incident.id,
            text=text,
            owner=owner,
            due_on=due_on,
            status=ItemStatus.OPEN.value,
            created_by=actor,
            created_at=change.now,
        )
        change.session.add(item)
        change.session.flush()
        change.record(
            kind=EventKind.ACTION_ADDED,
            actor=actor,
            text=f"Action item #{item.id} added: {text}",
            data={"item": item.id, "owner": owner, "due": due_on.isoformat() if due_on else None},
        )
        return view(item, change.incident.number)


def _items(session: Session, *conditions: object) -> list[ActionItemView]:
    rows = session.execute(
        select(ActionItem, Incident.number)
        .join(Incident, Incident.id == ActionItem.incident_id)
        .where(*conditions)  # type: ignore[arg-type]
        .order_by(ActionItem.id)
    ).all()
    return [view(item, number) for item, number in rows]


def items_of_channel(ctx: Context, channel_id: str) -> tuple[IncidentSnapshot, list[ActionItemView]]:
    """The war room's incident and its action items."""
    with ctx.db.read() as session:
        incident = load_by_channel(session, channel_id)
        return snapshot(incident), _items(session, ActionItem.incident_id == incident.id)


def items_of_owner(ctx: Context, owner: str) -> list[ActionItemView]:
    """Someone's open action items across incidents."""
    with ctx.db.read() as session:
        return _items(session, ActionItem.owner == owner, ActionItem.status == ItemStatus.OPEN.value)


def query_items(
    ctx: Context, *, status: str | None = None, incident_number: int | None = None, owner: str | None = None
) -> list[ActionItemView]:
    """Action items filtered by status (open, done, overdue), incident and owner."""
    today = ctx.clock().date()
    conditions: list[object] = []
    with ctx.db.read() as session:
        if incident_number is not None:
            conditions.append(ActionItem.incident_id == load_by_number(session, incident_number).id)
        if owner is not None:
            conditions.append(ActionItem.owner == owner)
        if status in (ItemStatus.OPEN.value, "overdue"):
            conditions.append(ActionItem.status == ItemStatus.OPEN.value)
        elif status == ItemStatus.DONE.value:
            conditions.append(ActionItem.status == ItemStatus.DONE.value)
        elif status is not None:
            raise UsageError(f"Unknown status `{status}`. Use open, done or overdue.")
        if status == "overdue":
            conditions.append(ActionItem.due_on < today)
        return _items(session, *conditions)


def _load_item(session: Session, item_id: int) -> ActionItem:
    item = session.scalar(select(ActionItem).where(ActionItem.id == item_id).with_for_update())
    if item is None:
        raise ActionItemNotFound(f"There is no action item #{item_id}.")
    return item


def _guard_item(ctx: Context, incident: Incident, item: ActionItem, *, actor: str) -> None:
    # An item's owner may always finish or pass on their own item, whatever `permissions.action_items` says.
    if item.owner is not None and item.owner == actor:
        return
    guard(ctx.policy, incident, Operation.ACTION_ITEMS, actor=actor)


def complete_item(ctx: Context, *, item_id: int, actor: str) -> ActionItemView:
    """Mark an action item done (recorded on its incident's timeline)."""
    with ctx.db.transaction() as session:
        item = _load_item(session, item_id)
        if item.status == ItemStatus.DONE.value:
            raise UsageError(f"Action item #{item_id} is already done.")
        incident = session.get(Incident, item.incident_id)
        assert incident is not None
        _guard_item(ctx, incident, item, actor=actor)
        now = ctx.clock()
        item.status, item.done_at, item.done_by = ItemStatus.DONE.value, now, actor
        record_event(
            session,
            incident,
            kind=EventKind.ACTION_DONE,
            at=now,
            actor=actor,
            text=f"Action item #{item.id} done: {item.text}",
            data={"item": item.id},
        )
        return view(item, incident.number)


def reassign_item(ctx: Context, *, item_id: int, actor: str, owner: str) -> ActionItemView:
    """Give an action item to someone else."""
    with ctx.db.transaction() as session:
        item = _load_item(session, item_id)
        if item.owner == owner:
            raise UsageError(f"Action item #{item_id} is already theirs.")
        incident = session.get(Incident, item.incident_id)
        assert incident is not None
        _guard_item(ctx, incident, item, actor=actor)
        previous, item.owner, item.last_nudged_on = item.owner, owner, None
        record_event(
            session,
            incident,
            kind=EventKind.ACTION_REASSIGNED,
            at=ctx.clock(),
            actor=actor,
            text=f"Action item #{item.id} reassigned",
            data={"item": item.id, "owner": owner, "previous": previous},
        )
        return view(item, incident.number)


def completion(ctx: Context, *, period: str, since: date | None = None) -> list[CompletionStats]:
    """Completion rate and on-time share of action items, by the week or month they were created."""
    period_start(ctx.clock().date(), period)  # validates the period before querying
    with ctx.db.read() as session:
        start = datetime.combine(since, time(), UTC) if since is not None else None
        conditions = [] if start is None else [ActionItem.created_at >= start]
        return completion_by_period(_items(session, *conditions), period)


def nudge_overdue(ctx: Context) -> int:
    """The daily follow-up: DM each owner of overdue items once (grouped), and tell war rooms about
    overdue items nobody owns. Each item is claimed for today first, so two processes nudge once."""
    now = ctx.clock()
    today = now.date()
    with ctx.db.transaction(background=True) as session:
        claimed = set(
            session.execute(
                update(ActionItem)
                .where(
                    ActionItem.status == ItemStatus.OPEN.value,
                    ActionItem.due_on < today,
                    or_(ActionItem.last_nudged_on.is_(None), ActionItem.last_nudged_on < today),
                )
                .values(last_nudged_on=today)
                .returning(ActionItem.id)
                .execution_options(synchronize_session=False)
            ).scalars()
        )
        if not claimed:
            return 0
        items = _items(session, ActionItem.id.in_(claimed))
        by_owner: dict[str, list[ActionItemView]] = defaultdict(list)
        unowned: dict[int, list[ActionItemView]] = defaultdict(list)
        for item in items:
            if item.owner:
                by_owner[item.owner].append(item)
            else:
                unowned[item.incident_number].append(item)
        for owner, owned in by_owner.items():
            enqueue(
                session,
                kind=EffectKind.DM,
                lane=f"dm:{owner}",
                key=f"nudge:{owner}:{today.isoformat()}",
                now=now,
                payload={"user": owner, "message": "action_nudge", "items": [_brief(i, today) for i in owned]},
            )
            for number in sorted({i.incident_number for i in owned}):
                mine = [i for i in owned if i.incident_number == number]
                _record_nudge(
                    session,
                    number,
                    now,
                    f"Reminded the owner of {len(mine)} overdue action items",
                    {"owner": owner, "items": [i.id for i in mine]},
                )
        for number, orphans in unowned.items():
            incident = load_by_number(session, number)
            event = _record_nudge(
                session,
                number,
                now,
                f"{len(orphans)} overdue action items have no owner",
                {"owner": None, "items": [i.id for i in orphans]},
            )
            enqueue_notice(
                session,
                incident,
                event,
                notice="unowned_actions",
                now=now,
                data={"items": [_brief(i, today) for i in orphans]},
            )
        return len(claimed)


def _brief(item: ActionItemView, today: date) -> dict[str, object]:
    return {
        "id": item.id,
        "incident": item.incident_number,
        "label": incident_label(item.incident_number),
        "text": item.text,
        "due": item.due_on.isoformat() if item.due_on else None,
        "days_overdue": (today - item.due_on).days if item.due_on else 0,
    }


def _record_nudge(session: Session, number: int, now: datetime, text: str, data: dict[str, Any]) -> TimelineEvent:
    incident = load_by_number(session, number)
    event = record_event(session, incident, kind=EventKind.ACTION_NUDGED, at=now, actor=None, text=text, data=data)
    assert event is not None
    return event
