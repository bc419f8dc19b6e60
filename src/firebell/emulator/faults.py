"""Fault injection: make chosen Web API calls fail the way Slack or the network can fail."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal, get_args

FaultKind = Literal["ratelimited", "server_error", "disconnect", "disconnect_after", "error"]
FAULT_KINDS: frozenset[str] = frozenset(get_args(FaultKind))


@dataclass
class Fault:
    """One planned fault. ``times=None`` keeps firing until removed; ``hits`` counts firings.

    ``method`` is a Web API method name, ``"*"`` (every Web API method) or ``"response_url"``
    (POSTs to response URLs, which ``"*"`` does not cover).
    """

    method: str
    kind: FaultKind
    times: int | None = 1
    retry_after: int = 1
    error: str = "fatal_error"
    status: int = 503
    hits: int = 0

    @property
    def exhausted(self) -> bool:
        """Whether the fault has fired as many times as planned."""
        return self.times is not None and self.hits >= self.times

    def matches(self, method: str) -> bool:
        """Whether the fault applies to a call of ``method``."""
        if self.method == method:
            return True
        return self.method == "*" and method != "response_url"


class FaultPlan:
    """Ordered list of planned faults; the first matching, non-exhausted one fires."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self,
        method: str,
        kind: FaultKind = "error",
        *,
        times: int | None = 1,
        retry_after: int = 1,
        error: str | None = None,
        status: int | None = None,
    ) -> Fault:
        """Plan a fault for ``method`` (see Fault); returns it so tests can inspect ``hits``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(FAULT_KINDS)}")
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 (or None for 'until cleared')")
        if kind == "server_error" and status is not None and not 500 <= status <= 599:
            raise ValueError("server_error status must be 5xx")
        fault = Fault(
            method=method,
            kind=kind,
            times=times,
            retry_after=retry_after,
            error=error or ("ratelimited" if kind == "ratelimited" else "fatal_error"),
            status=status or 503,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method: str) -> Fault | None:
        """Consume one firing of the first fault matching ``method``, if any."""
        with self._lock:
            for fault in self._faults:
                if not fault.exhausted and fault.matches(method):
                    fault.hits += 1
                    return fault
        return None

    def clear(self) -> None:
        """Remove every planned fault."""
        with self._lock:
            self._faults.clear()

    @property
    def pending(self) -> list[Fault]:
        """Faults that have not fired their planned number of times yet."""
        with self._lock:
            return [f for f in self._faults if not f.exhausted]

    @property
    def all(self) -> list[Fault]:
        """Every fault ever added (fired or not)."""
        with self._lock:
            return list(self._faults)
