"""Identifier and timestamp generation: Slack-looking ids, ``ts`` strings and the emulator clock."""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import defaultdict

_TS_RE = re.compile(r"^\d{1,12}(\.\d{1,6})?$")


class Clock:
    """Wall-clock time plus an offset that tests can advance (trigger and response_url expiry)."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()
        self._last_us = 0

    def now(self) -> float:
        """Current emulator time in epoch seconds."""
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the emulator clock forward (never backwards)."""
        if seconds < 0:
            raise ValueError("the emulator clock only moves forward")
        with self._lock:
            self._offset += seconds

    def next_ts(self) -> str:
        """A unique, strictly increasing message ts such as ``"1700000000.000100"``."""
        with self._lock:
            us = int(self.now() * 1_000_000)
            if us <= self._last_us:
                us = self._last_us + 1
            self._last_us = us
        return format_ts(us)


def format_ts(us: int) -> str:
    """Format integer microseconds as a Slack ts string."""
    return f"{us // 1_000_000}.{us % 1_000_000:06d}"


def is_ts(value: str) -> bool:
    """Whether a string looks like a Slack ts (``seconds[.micros]``)."""
    return bool(_TS_RE.match(value))


def ts_to_us(value: str) -> int:
    """Convert a ts string to integer microseconds (ValueError if malformed)."""
    if not is_ts(value):
        raise ValueError(f"not a Slack ts: {value!r}")
    seconds, _, frac = value.partition(".")
    return int(seconds) * 1_000_000 + int(frac.ljust(6, "0") or "0")


class IdFactory:
    """Hands out Slack-looking ids: prefix + 8 uppercase hex digits, never reused."""

    def __init__(self) -> None:
        self._counters: dict[str, int] = defaultdict(int)
        self._taken: set[str] = set()
        self._lock = threading.Lock()

    def reserve(self, value: str) -> str:
        """Claim a specific id (ValueError if it is already used)."""
        with self._lock:
            if value in self._taken:
                raise ValueError(f"id already in use: {value}")
            self._taken.add(value)
        return value

    def readable(self, prefix: str, name: str, width: int = 10) -> str:
        """An id derived from a name, e.g. ``U0ALICE000``; falls back to a counter id on collision."""
        core = re.sub(r"[^A-Z0-9]", "", name.upper())[: width - len(prefix) - 1]
        candidate = (prefix + "0" + core).ljust(width, "0")
        with self._lock:
            if core and candidate not in self._taken:
                self._taken.add(candidate)
                return candidate
        return self.next(prefix)

    def next(self, prefix: str) -> str:
        """The next counter-based id for a prefix, e.g. ``C0000000A``."""
        with self._lock:
            while True:
                self._counters[prefix] += 1
                candidate = f"{prefix}{self._counters[prefix]:08X}"
                if candidate not in self._taken:
                    self._taken.add(candidate)
                    return candidate


def token_hex(nbytes: int = 8) -> str:
    """Random lowercase hex (for view hashes, trigger ids and url secrets)."""
    return secrets.token_hex(nbytes)
