"""Runbooks in a war room: post one as a checklist, record its steps; remind owners of stale runbooks."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from firebell.domain.errors import FirebellError, UsageError
from firebell.domain.lifecycle import Operation
from firebell.domain.timeline import EventKind
from firebell.runbooks.library import Match, RunbookLibrary
from firebell.runbooks.model import Runbook
from firebell.services.changes import Change, guard, incident_change
from firebell.services.context import Context
from firebell.services.effects import EffectKind, enqueue
from firebell.services.timeline import record_event
from firebell.store.inserts import insert_once
from firebell.store.models import Incident, RunbookRun, RunbookStepDone


class RunbookNotFound(FirebellError):
    """No runbook (or checklist step) by that name."""


def matches_for(library: RunbookLibrary, query: str, *, limit: int = 3) -> list[Match]:
    """The best runbooks for a query (an incident's title and description, or what someone typed)."""
    return library.search(query, limit=limit) if query.strip() else []


def incident_query(title: str, description: str | None) -> str:
    """What an incident's runbook suggestions are matched on."""
    return f"{title} {description or ''}".strip()


@dataclass(frozen=True)
class ChecklistStep:
    """A step as the checklist shows it."""

    number: int
    title: str
    detail: str
    commands: list[str]
    done_by: str | None = None
    done_at: datetime | None = None


@dataclass(frozen=True)
class Checklist:
    """A posted runbook with its progress."""

    run_id: int
    incident_id: int
    slug: str
    title: str
    owner: str | None
    posted_by: str
    steps: list[ChecklistStep]


def _snapshot_steps(runbook: Runbook) -> dict[str, Any]:
    return {
        "steps": [
            {"number": s.number, "title": s.title, "detail": s.detail, "commands": list(s.commands)}
            for s in runbook.steps
        ]
    }


def post_runbook(ctx: Context, *, channel_id: str, actor: str, runbook: Runbook) -> int:
    """Put a runbook's steps in the war room as a checklist; returns the checklist's id."""
    with incident_change(ctx, channel_id=channel_id) as change:
        change.guard(Operation.RUNBOOKS, actor=actor)
        run = RunbookRun(
            incident_id=change.incident.id,
            slug=runbook.slug,
            title=runbook.title,
            owner=runbook.owner_mention() if runbook.owner else None,
            steps=_snapshot_steps(runbook),
            posted_by=actor,
            posted_at=change.now,
        )
        change.session.add(run)
        change.session.flush()
        change.record(
            kind=EventKind.RUNBOOK_POSTED,
            actor=actor,
            text=f"Runbook posted: {runbook.title}",
            data={"run": run.id, "slug": runbook.slug},
        )
        change.enqueue(EffectKind.POST_RUNBOOK, "room", key=f"runbook:{run.id}", payload={"run": run.id})
        return run.id


def complete_step(ctx: Context, *, run_id: int, step: int, actor: str) -> Checklist:
    """Record that a checklist step is done (once), on the timeline, and refresh the checklist."""
    now = ctx.clock()
    with ctx.db.transaction() as session:
        run = session.get(RunbookRun, run_id)
        if run is None:
            raise RunbookNotFound(f"That checklist no longer exists (#{run_id}).")
        steps = {int(s["number"]): s for s in run.steps["steps"]}
        if step not in steps:
            raise RunbookNotFound(f"The checklist has no step {step}.")
        incident = session.get(Incident, run.incident_id)
        assert incident is not None
        guard(ctx.policy, incident, Operation.RUNBOOKS, actor=actor)
        done = insert_once(
            session,
            RunbookStepDone(run_id=run.id, step=step, done_by=actor, done_at=now),
            existing=select(RunbookStepDone.id).where(RunbookStepDone.run_id == run.id, RunbookStepDone.step == step),
        )
        if done is None:
            raise UsageError(f"Step {step} of {run.title} is already done.")
        record_event(
            session,
            incident,
            kind=EventKind.RUNBOOK_STEP,
            at=now,
            actor=actor,
            text=f"{run.title}: step {step} done ({steps[step]['title']})",
            data={"run": run.id, "step": step},
        )
        change = Change(session=session, incident=incident, now=now, policy=ctx.policy)
        change.enqueue(EffectKind.SYNC_RUNBOOK, "room", key=f"runbook:{run.id}:step:{step}", payload={"run": run.id})
        return _checklist(session, run)


def checklist(ctx: Context, run_id: int) -> Checklist | None:
    """A posted runbook with its progress (None if gone)."""
    with ctx.db.read() as session:
        run = session.get(RunbookRun, run_id)
        return _checklist(session, run) if run is not None else None


def _checklist(session: Any, run: RunbookRun) -> Checklist:
    done = {d.step: d for d in session.scalars(select(RunbookStepDone).where(RunbookStepDone.run_id == run.id))}
    return Checklist(
        run_id=run.id,
        incident_id=run.incident_id,
        slug=run.slug,
        title=run.title,
        owner=run.owner,
        posted_by=run.posted_by,
        steps=[
            ChecklistStep(
                number=int(s["number"]),
                title=str(s["title"]),
                detail=str(s["detail"]),
                commands=list(s["commands"]),
                done_by=done[int(s["number"])].done_by if int(s["number"]) in done else None,
                done_at=done[int(s["number"])].done_at if int(s["number"]) in done else None,
            )
            for s in run.steps["steps"]
        ],
    )


def record_message(ctx: Context, run_id: int, ts: str) -> None:
    """Remember where the checklist was posted, so it can be updated."""
    with ctx.db.transaction(background=True) as session:
        run = session.get(RunbookRun, run_id)
        if run is not None:
            run.message_ts = ts


def run_message_ts(ctx: Context, run_id: int) -> str | None:
    """Where a checklist was posted (None until it is)."""
    with ctx.db.read() as session:
        run = session.get(RunbookRun, run_id)
        return run.message_ts if run is not None else None


def remind_stale_runbooks(ctx: Context, library: RunbookLibrary) -> int:
    """The weekly job: owners of runbooks past review_by hear about them (grouped, once a week each)."""
    now = ctx.clock()
    today: date = now.date()
    week = f"{today.isocalendar().year}-W{today.isocalendar().week:02d}"
    stale = library.past_review(today)
    by_owner: dict[str, list[dict[str, str]]] = defaultdict(list)
    for runbook in stale:
        by_owner[runbook.owner].append(
            {"title": runbook.title, "file": runbook.path.name, "review_by": str(runbook.review_by)}
        )
    with ctx.db.transaction(background=True) as session:
        for owner, items in by_owner.items():
            user = owner_user_id(owner)
            enqueue(
                session,
                kind=EffectKind.DM,
                lane=f"dm:{user or 'announcement'}",
                key=f"runbook-review:{owner}:{week}",
                now=now,
                payload={"message": "runbook_review", "user": user, "owner": owner, "runbooks": items},
                dedupe=True,
            )
    return len(stale)


def owner_user_id(owner: str) -> str | None:
    """The Slack user id in a runbook owner (`U0123`, or a pasted `<@U0123|ann>`); None for team handles."""
    text = owner.strip().removeprefix("<@").split("|", 1)[0].rstrip(">")
    return text if text[:1] in ("U", "W") and text[1:].isalnum() and text.isupper() else None
