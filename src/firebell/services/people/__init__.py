"""People: names, Slack time zones and on-call load."""
