"""A clock tests move by hand: use cases read it as `ctx.clock`, and a running Firebell can be built on one."""

from datetime import datetime, timedelta


class Clock:
    """A clock tests move by hand (set `now`, or `advance` it)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock on by `delta`; returns the new time."""
        self.now += delta
        return self.now
