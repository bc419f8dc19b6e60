"""The outbox's store side: effects are claimed with leases, and their outcomes recorded, here.

`firebell.services.effects` says what can be queued (kinds, lanes, urgency, what each needs) and queues
it with the change that wants it; `claims` hands ready effects to a deliverer and keeps their leases;
`record` writes what came of each attempt (and what the incident's people must hear when Slack refuses);
`admin` is for operators. A deliverer (today the Slack gateway; soon pages and webhooks) only delivers.
"""
