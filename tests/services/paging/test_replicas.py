"""Two processes on one database look at the same due pages at the same moment: every move is claimed by one of
them, so nobody is notified twice."""

import threading
from datetime import timedelta

from sqlalchemy import Engine, func, select

from firebell.services.context import Context
from firebell.services.paging.claims import send_due_pages
from firebell.store.database import Database
from firebell.store.engine import make_engine
from firebell.store.models import TimelineEvent
from firebell.store.paging_models import PageNotification
from tests.clock import Clock
from tests.services.paging.conftest import declare, paging_policy


def test_two_pagers_looking_at_once_notify_each_person_once(
    ctx: Context, clock: Clock, clean_db: Engine, database_url: str
) -> None:
    for n in range(20):
        declare(ctx, channel=f"C0ROOM{n}")
    other_engine = make_engine(database_url)
    try:
        other = Context(db=Database(other_engine), policy=paging_policy(), clock=clock)
        claimed = []
        for delta in (timedelta(0), timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=5)):
            clock.advance(delta)
            start = threading.Barrier(2)
            results: list[int] = []

            def look(context: Context, start: threading.Barrier = start, results: list[int] = results) -> None:
                start.wait()
                results.append(send_due_pages(context))

            threads = [threading.Thread(target=look, args=(c,)) for c in (ctx, other)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            claimed.append(sum(results))
        assert claimed == [20, 20, 20, 20]  # every due move claimed once, whichever process won it
        with ctx.db.read() as session:
            notifications = session.scalar(select(func.count()).select_from(PageNotification))
            told = session.scalar(
                select(func.count()).select_from(TimelineEvent).where(TimelineEvent.kind == "page_notified")
            )
        # Bob, then Carol and Erin, then Bob (round 2), then Carol and Erin: 6 per incident, each told once.
        assert notifications == told == 20 * 6
    finally:
        other_engine.dispose()
