"""DATABASE_URL is checked before connecting, and a database that cannot be used is described in a sentence."""

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from firebell.store.database_url import (
    DatabaseUnusable,
    describe_failure,
    parse_database_url,
    require_existing,
    require_schema,
)
from firebell.store.engine import make_engine


@pytest.mark.parametrize("url", ["not a url", "postgresql://u:hunter2@[::1:5432/db", ""])
def test_an_unparseable_url_says_which_forms_work_and_never_echoes_it(url: str) -> None:
    with pytest.raises(DatabaseUnusable, match="DATABASE_URL is not a database URL; expected sqlite:///") as raised:
        parse_database_url(url)
    assert "hunter2" not in raised.value.message


@pytest.mark.parametrize("url", ["mysql://u@h/x", "postgresql+psycopg2://u@h/x", "oracle://u@h/x", "nosuch://x"])
def test_an_unsupported_driver_is_named(url: str) -> None:
    with pytest.raises(DatabaseUnusable, match=r"DATABASE_URL uses '.+', which Firebell does not support"):
        make_engine(url)


def test_a_sqlite_file_in_a_missing_folder_is_refused_before_connecting(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnusable, match=f"the folder {tmp_path / 'nope'} does not exist"):
        make_engine(f"sqlite:///{tmp_path}/nope/firebell.db")
    with pytest.raises(DatabaseUnusable, match="which is a directory"):
        make_engine(f"sqlite:///{tmp_path}")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_sqlite_file_in_a_folder_this_user_cannot_write_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    with pytest.raises(DatabaseUnusable, match="this user cannot write"):
        make_engine(f"sqlite:///{locked}/firebell.db")


def test_in_memory_and_existing_sqlite_urls_are_accepted(tmp_path: Path) -> None:
    assert parse_database_url("sqlite://").get_backend_name() == "sqlite"
    assert parse_database_url("sqlite:///:memory:").get_backend_name() == "sqlite"
    assert parse_database_url(f"sqlite:///{tmp_path}/new.db").database == f"{tmp_path}/new.db"


def test_reading_commands_do_not_create_a_missing_sqlite_file(tmp_path: Path) -> None:
    url = make_url(f"sqlite:///{tmp_path}/absent.db")
    with pytest.raises(DatabaseUnusable, match=f"There is no database at {tmp_path}/absent.db"):
        require_existing(url)
    assert not (tmp_path / "absent.db").exists()


def test_a_database_that_was_never_migrated_names_the_command_that_fixes_it(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/empty.db")
    with pytest.raises(DatabaseUnusable, match=r"has no Firebell schema yet; run `firebell db upgrade` first"):
        require_schema(engine)


def test_a_failure_names_the_database_without_its_password_or_the_sql(tmp_path: Path) -> None:
    url = make_url("postgresql+psycopg://u:hunter2@db.internal:5432/firebell")
    engine = create_engine(f"sqlite:///{tmp_path}/x.db")
    with pytest.raises(OperationalError) as raised, engine.connect() as conn:
        conn.execute(text("SELECT secret_column FROM missing_table"))
    message = describe_failure(raised.value, url)
    assert (
        message
        == "Cannot use the database at postgresql+psycopg://u:***@db.internal:5432/firebell: no such table: missing_table."
    )
    assert "SELECT" not in message
