"""Database URLs as operators write them become what SQLAlchemy and psycopg 3 need."""

import pytest

from firebell.store.engine import normalize_url


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://u:p@db/fb", "postgresql+psycopg://u:p@db/fb"),
        ("postgres://u:p@db/fb", "postgresql+psycopg://u:p@db/fb"),
        ("postgresql+psycopg://u@db/fb", "postgresql+psycopg://u@db/fb"),
        ("sqlite:///firebell.db", "sqlite:///firebell.db"),
    ],
)
def test_database_urls_are_normalised_for_psycopg3(given: str, used: str) -> None:
    assert normalize_url(given).render_as_string(hide_password=False) == used
