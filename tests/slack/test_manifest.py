"""The committed Slack app manifest is valid and asks for what Firebell uses."""

import json
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).parents[2]


def test_manifest_matches_slacks_schema() -> None:
    manifest = yaml.safe_load((ROOT / "slack-app-manifest.yml").read_text())
    schema = json.loads((ROOT / "tests" / "data" / "slack-manifest.schema.json").read_text())
    jsonschema.validate(manifest, schema)


def test_manifest_declares_the_commands_interactivity_and_events() -> None:
    manifest = yaml.safe_load((ROOT / "slack-app-manifest.yml").read_text())
    commands = manifest["features"]["slash_commands"]
    assert [c["command"] for c in commands] == ["/incident", "/oncall"]
    for command in commands:
        assert command["should_escape"] is True  # mentions arrive as <@U…> so `ic @bob` can be parsed
        assert command["url"].endswith("/slack/events")
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["interactivity"]["request_url"].endswith("/slack/events")
    assert "reaction_added" in manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"commands", "chat:write", "channels:manage", "reactions:read"} <= set(
        manifest["oauth_config"]["scopes"]["bot"]
    )
