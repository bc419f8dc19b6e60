"""`firebell policy check` and `firebell serve` refuse a notifier whose secret is not in the environment, naming
the variable (never a value), and name the key of a mistake in `paging.notifiers`."""

import subprocess
from pathlib import Path

from tests.cli.serve import FIREBELL, base_env
from tests.cli.test_policy_check import check
from tests.harness import free_port

POLICY = """\
paging:
  notifiers:
    - name: hook
      kind: webhook
      url: https://hooks.example.com/firebell
      secret_env: FIREBELL_TEST_HOOK_SECRET
    - name: pd
      kind: pagerduty
      routing_key_env: FIREBELL_TEST_PD_KEY
    - name: alice-phone
      kind: ntfy
      url: https://ntfy.example.com/oncall-alice
      users: [U01ALICE]
"""
SECRETS = {"FIREBELL_TEST_HOOK_SECRET": "whsec-value-never-shown", "FIREBELL_TEST_PD_KEY": "pd-key-never-shown"}


def test_configured_notifiers_are_listed(tmp_path: Path) -> None:
    (tmp_path / "firebell.yaml").write_text(POLICY)
    result = check(tmp_path, **SECRETS)
    assert result.returncode == 0, result.stderr
    assert "Notifier hook: webhook (notify, acknowledge, resolve)" in result.stdout
    assert "Notifier pd: pagerduty (notify, acknowledge, resolve)" in result.stdout
    assert "Notifier alice-phone: ntfy (notify)" in result.stdout


def test_a_missing_secret_is_named_and_no_secret_is_shown(tmp_path: Path) -> None:
    (tmp_path / "firebell.yaml").write_text(POLICY)
    result = check(tmp_path, FIREBELL_TEST_HOOK_SECRET=SECRETS["FIREBELL_TEST_HOOK_SECRET"])
    assert result.returncode != 0
    assert (
        "paging.notifiers[1] (pd).routing_key_env: environment variable FIREBELL_TEST_PD_KEY is not set"
        in result.stderr
    )
    assert "whsec-value-never-shown" not in result.stdout + result.stderr


def test_serve_does_not_start_without_a_notifiers_secret(tmp_path: Path) -> None:
    (tmp_path / "firebell.yaml").write_text(POLICY)
    env = base_env(SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="signing", **{"FIREBELL_TEST_PD_KEY": "k"})
    result = subprocess.run(
        [*FIREBELL, "serve", "--port", str(free_port())],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "environment variable FIREBELL_TEST_HOOK_SECRET is not set" in result.stderr


def test_a_notifier_mistake_names_its_key(tmp_path: Path) -> None:
    for old, new, words in (
        ("kind: webhook", "kind: sms", "paging.notifiers[0] (hook).kind: expected one of webhook, ntfy, pagerduty"),
        ("url: https://hooks", "url: ftp://hooks", "paging.notifiers[0] (hook).url: expected an http:// or https://"),
        ("users: [U01ALICE]", "users: [alice]", "paging.notifiers[2] (alice-phone).users[0]: expected a Slack user id"),
    ):
        (tmp_path / "firebell.yaml").write_text(POLICY.replace(old, new))
        result = check(tmp_path, **SECRETS)
        assert result.returncode != 0
        assert words in result.stderr, result.stderr
