"""People's names as Slack last told Firebell, so drafts and lists can say "Alice", not "U0ALICE00"."""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from firebell.services.context import Context
from firebell.store.inserts import upsert
from firebell.store.models import Person


def names_for(session: Session, user_ids: Iterable[str]) -> dict[str, str]:
    """The names known for these user ids (unknown ids are left out)."""
    wanted = {u for u in user_ids if u}
    if not wanted:
        return {}
    return {p.user_id: p.name for p in session.scalars(select(Person).where(Person.user_id.in_(wanted)))}


def remember_names(ctx: Context, names: dict[str, str]) -> None:
    """Store or refresh names learned from Slack."""
    if not names:
        return
    now = ctx.clock()
    with ctx.db.transaction(background=True) as session:
        for user_id, name in sorted(names.items()):  # in key order: two processes' batches never deadlock
            upsert(session, Person, {"user_id": user_id, "name": name, "updated_at": now}, key=["user_id"])
