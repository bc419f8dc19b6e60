"""Reaching people outside Slack: one small module per notifier (webhook, ntfy, PagerDuty) behind one
interface, a pure function from (config, notice, secret, now) to the HTTP request to make (`Outgoing`), and
`delivery`, which sends it for the outbox gateway and says what came of it."""
