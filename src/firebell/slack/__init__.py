"""The Slack adapter: the Bolt app, Block Kit builders and the gateway that delivers queued effects."""
