"""Two transactions learning the same person at once both succeed: the later write wins, nothing breaks the key.

Before, each looked the row up and inserted when it found none, so two `firebell serve` processes learning a
name (or a time zone) at the same moment had one fail on the primary key (seen as failed postmortem drafts).
"""

import threading
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from firebell.store.inserts import upsert
from firebell.store.models import Person

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_a_second_writer_of_the_same_key_updates_instead_of_failing(clean_db: Engine) -> None:
    first_wrote = threading.Event()
    errors: list[BaseException] = []

    def second() -> None:
        first_wrote.wait(5)
        try:
            with Session(clean_db) as session, session.begin():  # waits for the first to commit, then updates
                upsert(session, Person, {"user_id": "U1", "name": "Alice B.", "updated_at": AT}, key=["user_id"])
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    with Session(clean_db) as session, session.begin():
        # Neither transaction saw the row when it began: the old look-up-then-insert raced here.
        assert session.get(Person, "U1") is None
        upsert(session, Person, {"user_id": "U1", "name": "Alice", "updated_at": AT}, key=["user_id"])
        first_wrote.set()
    thread.join(10)

    assert not thread.is_alive() and errors == []
    with Session(clean_db) as session:
        assert session.scalars(select(Person.name)).all() == ["Alice B."]
