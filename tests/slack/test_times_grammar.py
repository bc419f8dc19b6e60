"""`/incident times` and `declare … --detected` in the command language (pure parsing, no I/O)."""

import pytest

from firebell.domain.errors import UsageError
from firebell.domain.incident_times import TimeField
from firebell.domain.policy import Policy
from firebell.slack.blocks.replies import help_reply
from firebell.slack.declare_grammar import Declare
from firebell.slack.grammar import Times, parse_command, suggest

POLICY = Policy()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("times", Times()),
        ("TIMES", Times()),
        ("mttd", Times()),
        ("times impact 13:50", Times(field=TimeField.IMPACT, when="13:50")),
        ("times detected 20m ago", Times(field=TimeField.DETECTED, when="20m ago")),
        ("times impact 2026-12-07 13:50", Times(field=TimeField.IMPACT, when="2026-12-07 13:50")),
        ("time noticed 14:02", Times(field=TimeField.DETECTED, when="14:02")),
        (
            "declare sev2 Checkout down --detected 14:02",
            Declare(severity="SEV2", title="Checkout down", detected="14:02"),
        ),
        (
            "declare Checkout down --detected 20m ago",
            Declare(severity=None, title="Checkout down", detected="20m ago"),
        ),
        ("declare sev1 --detected=2026-12-07 13:50", Declare(severity="SEV1", title=None, detected="2026-12-07 13:50")),
        ("declare Checkout --detected-ish errors", Declare(severity=None, title="Checkout --detected-ish errors")),
    ],
)
def test_times_and_detected_parse(text: str, expected: object) -> None:
    assert parse_command(text, POLICY) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("times impact", "Say when: `/incident times impact 13:50` (UTC)"),
        ("times resolved 14:00", "declared, mitigated and resolved are set by their commands"),
        ("times 13:50", "`13:50` is not a time you can set"),
        ("declare Checkout down --detected", "`--detected` needs a time at the end"),
    ],
)
def test_malformed_times_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(UsageError) as refused:
        parse_command(text, POLICY)
    assert message in refused.value.message


def test_help_and_typo_suggestions_know_times() -> None:
    help_text = str(help_reply(POLICY).blocks)
    assert "/incident times impact|detected" in help_text and "--detected 14:02|20m ago" in help_text
    assert suggest("tiems", "impact 13:50") == "times impact 13:50"
    with pytest.raises(UsageError, match=r"Did you mean `/incident times impact 13:50`\?"):
        parse_command("tmes impact 13:50", POLICY)
