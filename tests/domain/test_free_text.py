"""What a person may write: at most one Slack message's worth, and no NUL."""

import pytest

from firebell.domain.errors import UsageError
from firebell.domain.free_text import MAX_MESSAGE_TEXT, check_free_text


def test_text_within_the_limit_passes() -> None:
    assert check_free_text("x" * MAX_MESSAGE_TEXT, "update") == "x" * MAX_MESSAGE_TEXT


def test_longer_text_is_refused_saying_the_limit() -> None:
    with pytest.raises(UsageError, match=r"The note is 13,000 characters; Slack carries at most 3,000"):
        check_free_text("x" * 13000, "note")


def test_a_nul_is_refused_naming_the_field() -> None:
    with pytest.raises(UsageError, match=r"The update contains a NUL character"):
        check_free_text("a\x00b", "update")


def test_characters_slack_escapes_count_as_slack_stores_them() -> None:
    with pytest.raises(UsageError, match=r"is 3,000 characters as Slack counts them \(&, < and > count as 5, 4"):
        check_free_text("&" * 600, "update", limit=2999)
    assert check_free_text("&" * 600, "update") == "&" * 600
