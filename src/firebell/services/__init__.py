"""Use cases: open a unit of work, load, apply the domain, record timeline events, enqueue Slack effects."""
