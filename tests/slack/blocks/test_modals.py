"""Pure helpers of the forms."""

import pytest

from firebell.slack.blocks.modals import FORM_ERROR_LIMIT, form_error


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        ("Pick a severity.", "Pick a severity."),
        ("A" * 100 + " is refused. " + "B" * 100 + ".", "A" * 100 + " is refused."),  # whole first sentence
        ("C" * 200, "C" * 149 + "…"),  # no sentence fits: cut and marked
    ],
)
def test_a_form_error_shows_whole_sentences(message: str, shown: str) -> None:
    assert form_error(message) == shown
    assert len(form_error(message)) <= FORM_ERROR_LIMIT
