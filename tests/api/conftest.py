"""The API tests run against the same running Firebell and emulator as the Slack tests."""

from tests.slack.conftest import emu, firebell, policy, slack

__all__ = ["emu", "firebell", "policy", "slack"]
