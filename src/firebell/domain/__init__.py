"""The pure incident core: no I/O, no clock, no Slack, no SQL."""
