"""`firebell policy check` reads the on-call keys of the policy file and names the key of a mistake in them."""

from pathlib import Path

import pytest

from firebell.emulator import EmulatorServer, SlackEmulator
from tests.api.schedules.conftest import EXAMPLE
from tests.cli.test_policy_check import check
from tests.slack.conftest import emu, slack

__all__ = ["emu", "slack"]


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


def test_with_slack_every_e_mail_member_is_asked_about_and_an_unknown_one_is_named(
    tmp_path: Path, emu: SlackEmulator, slack: EmulatorServer
) -> None:
    (tmp_path / "firebell.yaml").write_text(EXAMPLE)
    env = {"SLACK_BOT_TOKEN": emu.bot_token, "SLACK_API_URL": slack.api_url}
    result = check(tmp_path, "--slack", **env)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "firebell: schedules (checkout-primary).layers[0].members: "
        "Slack has no user with the e-mail carol@example.com (users.lookupByEmail)"
    )
    assert emu.bot_token not in result.stderr + result.stdout
    emu.add_user("ckarlsson", email="carol@example.com")
    result = check(tmp_path, "--slack", **env)
    assert result.returncode == 0, result.stderr
    assert "Slack knows every on-call member written as an e-mail (1 asked)." in result.stdout
    assert check(tmp_path, "--slack").stderr.strip() == (
        "firebell: --slack needs SLACK_BOT_TOKEN (the bot token Firebell runs with) to ask Slack"
    )
