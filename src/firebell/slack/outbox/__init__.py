"""Slack out: delivering queued effects to Slack's Web API, and reading what Slack knows."""
