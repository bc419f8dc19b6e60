"""Slack in: the Bolt app, its listeners, and the machinery that acknowledges first."""
