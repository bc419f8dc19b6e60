"""The HTTP adapter: Slack's endpoint, health, and the REST API."""
