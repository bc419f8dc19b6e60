"""`firebell policy check` reads the on-call keys of the policy file and names the key of a mistake in them."""

from pathlib import Path

import pytest

from tests.api.schedules.conftest import EXAMPLE
from tests.cli.test_policy_check import check


def test_the_issue_example_is_a_valid_policy(tmp_path: Path) -> None:
    (tmp_path / "firebell.yaml").write_text(EXAMPLE)
    result = check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "firebell.yaml is a valid policy." in result.stdout


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        (
            "notify: [user:U04ERIN]",
            "notify: [schedule:checkout-secondary]",
            "escalation_policies[0] (checkout).steps[1].notify: schedule 'checkout-secondary' does not exist; "
            "defined: ['checkout-primary']",
        ),
        ("rotate_every: 1w", "rotate_every: 2x", "schedules[0] (checkout-primary).layers[0]"),
        ("time_zone: Europe/Berlin", "time_zone: Mars/Olympus", "expected an IANA time zone"),
        ("page_on_declare: SEV2", "page_on_declare: SEV9", "paging.page_on_declare: 'SEV9' is not one of"),
        ("escalation_policy: checkout", "escalation_policy: payments", "services[0] (checkout).escalation_policy"),
    ],
)
def test_an_on_call_mistake_names_its_key(tmp_path: Path, old: str, new: str, words: str) -> None:
    assert old in EXAMPLE
    (tmp_path / "firebell.yaml").write_text(EXAMPLE.replace(old, new))
    result = check(tmp_path)
    assert result.returncode != 0
    assert words in result.stderr + result.stdout
