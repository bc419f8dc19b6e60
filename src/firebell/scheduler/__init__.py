"""Timed work: the cadence tick (and, later, nudges and digests) driven by APScheduler."""
