"""Pure Block Kit builders: what Firebell shows in Slack, as dicts."""
