"""Where each rotation layer stands in the store, kept in step with the policy file.

A layer's anchor says who holds which cell of its grid. When the policy's layer changes (members, rotation,
handoff, start, restriction or the schedule's time zone), the anchor is moved at that moment with
`reanchor`, so whoever is on call keeps the shift and nobody is skipped or doubled. This happens at startup
and, should a process read a schedule before its own startup pass (or another process runs a newer
policy), lazily on read; always under the schedule's lock row, so exactly once across processes.
"""

import hashlib
import json
import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from firebell.domain.oncall import Anchor, reanchor
from firebell.domain.oncall.config import LayerConfig, ScheduleConfig
from firebell.domain.oncall.rotation import default_anchor
from firebell.services.context import Context
from firebell.store.inserts import insert_ignoring_duplicates
from firebell.store.models import OncallAnchor, OncallSchedule

log = logging.getLogger(__name__)


def layer_record(schedule: ScheduleConfig, index: int) -> dict[str, Any]:
    """What is stored of a layer to rebuild it later: its config and the schedule's time zone."""
    return {"time_zone": schedule.time_zone, "layer": schedule.layers[index].model_dump(mode="json")}


def fingerprint(record: dict[str, Any]) -> str:
    """A digest of a layer record: equal when nothing that decides the rotation changed."""
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def lock_schedule(session: Session, name: str, now: datetime) -> None:
    """Make the schedule's lock row if missing and lock it until the transaction ends (SQLite: BEGIN
    IMMEDIATE has serialised writers already)."""
    insert_ignoring_duplicates(session, OncallSchedule, [{"name": name, "created_at": now}])
    session.execute(select(OncallSchedule.name).where(OncallSchedule.name == name).with_for_update()).scalar_one()


def _anchor(row: OncallAnchor) -> Anchor:
    return Anchor(cell=row.cell, user=row.user_id, next_index=row.next_index)


def _moved(row: OncallAnchor, schedule: ScheduleConfig, index: int, now: datetime) -> Anchor:
    """The stored anchor carried from the layer as it was to the layer as the policy says now."""
    new = schedule.layers[index].layer()
    try:
        old = LayerConfig.model_validate(row.config["layer"]).layer()
    except (KeyError, TypeError, ValidationError, ValueError):
        log.warning(
            "on-call schedule %s layer %d: the stored layer cannot be rebuilt; starting over", row.schedule, index
        )
        return default_anchor(new)
    return reanchor(old, _anchor(row), new, ZoneInfo(schedule.time_zone), now)


def sync_anchors(session: Session, schedule: ScheduleConfig, now: datetime) -> list[Anchor]:
    """Under the schedule's lock: the anchors of every layer, reanchored where the policy changed the layer."""
    lock_schedule(session, schedule.name, now)
    rows = {r.layer: r for r in session.scalars(select(OncallAnchor).where(OncallAnchor.schedule == schedule.name))}
    anchors = []
    for index, layer in enumerate(schedule.layers):
        record = layer_record(schedule, index)
        digest = fingerprint(record)
        row = rows.get(index)
        if row is not None and row.fingerprint == digest:
            anchors.append(_anchor(row))
            continue
        anchor = default_anchor(layer.layer()) if row is None else _moved(row, schedule, index, now)
        if row is None:
            row = OncallAnchor(schedule=schedule.name, layer=index)
            session.add(row)
        else:
            log.info("on-call schedule %s layer %d changed; reanchored at %s", schedule.name, index, now.isoformat())
        row.fingerprint, row.config, row.updated_at = digest, record, now
        row.cell, row.user_id, row.next_index = anchor.cell, anchor.user, anchor.next_index
        anchors.append(anchor)
    gone = delete(OncallAnchor).where(
        OncallAnchor.schedule == schedule.name, OncallAnchor.layer >= len(schedule.layers)
    )
    session.execute(gone)
    return anchors


def current_anchors(ctx: Context, schedule: ScheduleConfig) -> list[Anchor]:
    """The anchors to compute the schedule with: read as stored when they match the policy, else synced."""
    with ctx.db.read() as session:
        rows = list(session.scalars(select(OncallAnchor).where(OncallAnchor.schedule == schedule.name)))
    by_layer = {r.layer: r for r in rows}
    if len(rows) == len(schedule.layers) and all(
        (row := by_layer.get(i)) is not None and row.fingerprint == fingerprint(layer_record(schedule, i))
        for i in range(len(schedule.layers))
    ):
        return [_anchor(by_layer[i]) for i in range(len(schedule.layers))]
    with ctx.db.transaction() as session:
        return sync_anchors(session, schedule, ctx.clock())


def sync_all_anchors(ctx: Context) -> None:
    """At startup: bring every schedule's anchors in step with the policy, one transaction per schedule."""
    for schedule in ctx.policy.schedules:
        with ctx.db.transaction(background=True) as session:
            sync_anchors(session, schedule, ctx.clock())
