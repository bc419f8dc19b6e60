"""Optional per-method rate limiting by Slack tier (off unless ``SlackEmulator(rate_tiers=True)``, or
``emu.enforce_rate_limits`` is set)."""

from __future__ import annotations

import math
import threading
from collections import defaultdict, deque
from collections.abc import Callable

TIER_PER_MINUTE: dict[str, int] = {"t1": 1, "t2": 20, "t3": 50, "t4": 100}


class RateLimiter:
    """Sliding one-minute windows per method; chat.postMessage is a token bucket per channel."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, deque[float]] = defaultdict(deque)
        self._buckets: dict[str, tuple[float, float]] = {}
        self.per_minute: dict[str, int] = dict(TIER_PER_MINUTE)
        self.post_message_per_second = 1.0
        self.post_message_burst = 5

    def check(self, method: str, tier: str | None, channel: str | None = None) -> int | None:
        """Count a call; return Retry-After seconds if it is over the limit (the call is not counted)."""
        now = self._clock()
        with self._lock:
            if method == "chat.postMessage":
                return self._take_token(channel or "", now)
            limit = self.per_minute.get(tier or "")
            if limit is None:
                return None
            window = self._windows[method]
            while window and window[0] <= now - 60.0:
                window.popleft()
            if len(window) >= limit:
                return max(1, math.ceil(window[0] + 60.0 - now))
            window.append(now)
            return None

    def _take_token(self, channel: str, now: float) -> int | None:
        tokens, last = self._buckets.get(channel, (float(self.post_message_burst), now))
        tokens = min(float(self.post_message_burst), tokens + (now - last) * self.post_message_per_second)
        if tokens < 1.0:
            self._buckets[channel] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self.post_message_per_second))
        self._buckets[channel] = (tokens - 1.0, now)
        return None

    def reset(self) -> None:
        """Forget all counted calls."""
        with self._lock:
            self._windows.clear()
            self._buckets.clear()
