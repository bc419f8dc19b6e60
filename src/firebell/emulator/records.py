"""What the emulator recorded (calls, violations, ephemerals, views, ...) and waiting on it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Self, TypeVar

from .models import Call, Ephemeral, File, ResponsePost, View

T = TypeVar("T")


class Records:
    """Recorded traffic and outcomes; mixed into SlackEmulator (which provides the lock and uploads)."""

    lock: threading.RLock
    uploads: dict[str, File]

    def __init__(self) -> None:
        self._calls: list[Call] = []
        self._violations: list[str] = []
        self._warnings: list[str] = []
        self._ephemerals: list[Ephemeral] = []
        self._command_acks: list[Ephemeral] = []
        self._responses: list[ResponsePost] = []
        self._first_accepted: dict[str, ResponsePost] = {}
        self._views: dict[str, View] = {}

    def record_call(self, call: Call) -> None:
        """Append a Web API call to the log."""
        with self.lock:
            self._calls.append(call)

    def add_violation(self, text: str) -> None:
        """Record a broken Slack rule (tests assert ``emu.violations == []``)."""
        with self.lock:
            self._violations.append(text)

    def add_warning(self, text: str) -> None:
        """Record advice that is not a rule violation (e.g. blocks without fallback text); deduplicated."""
        with self.lock:
            if text not in self._warnings:
                self._warnings.append(text)

    def add_ephemeral(self, ephemeral: Ephemeral) -> None:
        """Record an ephemeral message."""
        with self.lock:
            self._ephemerals.append(ephemeral)

    def add_command_ack(self, ack: Ephemeral) -> None:
        """Record the ephemeral reply Slack shows for a slash-command ack that carries text/blocks."""
        with self.lock:
            self._command_acks.append(ack)

    def add_response_post(self, post: ResponsePost) -> None:
        """Record a POST to a response_url."""
        with self.lock:
            self._responses.append(post)
            if post.status == 200:
                self._first_accepted.setdefault(post.url_id, post)

    def first_response(self, url_id: str) -> ResponsePost | None:
        """The first accepted POST to a response_url, if any yet."""
        with self.lock:
            return self._first_accepted.get(url_id)

    def add_view(self, view: View) -> None:
        """Store a view (new or replaced)."""
        with self.lock:
            self._views[view.id] = view

    @property
    def calls(self) -> list[Call]:
        """Every Web API call so far (a snapshot)."""
        with self.lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        """Calls of one method."""
        with self.lock:
            return [c for c in self._calls if c.method == method]

    @property
    def violations(self) -> list[str]:
        """Every broken Slack rule so far (a snapshot)."""
        with self.lock:
            return list(self._violations)

    @property
    def warnings(self) -> list[str]:
        """Non-fatal advice so far (unknown arguments, missing fallback text, ...)."""
        with self.lock:
            return list(self._warnings)

    @property
    def ephemerals(self) -> list[Ephemeral]:
        """Every ephemeral message shown so far."""
        with self.lock:
            return list(self._ephemerals)

    @property
    def command_acks(self) -> list[Ephemeral]:
        """Ephemeral replies shown from slash-command ack bodies (kept apart from ``ephemerals``)."""
        with self.lock:
            return list(self._command_acks)

    @property
    def responses(self) -> list[ResponsePost]:
        """Every POST to a response_url so far."""
        with self.lock:
            return list(self._responses)

    @property
    def views(self) -> dict[str, View]:
        """Views by id (modals and Home tabs)."""
        with self.lock:
            return dict(self._views)

    @property
    def files(self) -> list[File]:
        """Completed uploads."""
        with self.lock:
            return [f for f in self.uploads.values() if f.completed]

    def clear_log(self) -> None:
        """Forget recorded calls, violations and warnings (state is kept)."""
        with self.lock:
            self._calls.clear()
            self._violations.clear()
            self._warnings.clear()

    def wait_for(self, predicate: Callable[[Self], T | None], timeout: float = 5.0, interval: float = 0.02) -> T:
        """Poll until ``predicate(emu)`` is truthy and return it; AssertionError with a dump on timeout.

        The predicate runs without the lock (it may even call the emulator over HTTP); lookups that fail
        or race with a concurrent change (KeyError, IndexError, RuntimeError) just mean "not yet".
        """
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while True:
            try:
                value = predicate(self)
                if value:
                    return value
            except (LookupError, RuntimeError) as exc:
                last_error = exc
            if time.monotonic() >= deadline:
                raise AssertionError(self._timeout_report(predicate, timeout, last_error))
            time.sleep(interval)

    def _timeout_report(self, predicate: Callable[..., Any], timeout: float, error: Exception | None) -> str:
        name = getattr(predicate, "__name__", repr(predicate))
        lines = [f"wait_for({name}) still false after {timeout:.1f}s"]
        if error is not None:
            lines.append(f"last lookup error: {error!r}")
        with self.lock:
            recent = self._calls[-20:]
            lines.append(f"last {len(recent)} of {len(self._calls)} Web API calls:")
            for call in recent:
                outcome = "ok" if call.ok else f"{call.status} {call.error or ''}".strip()
                fault = f" [fault {call.fault}]" if call.fault else ""
                args = {k: v for k, v in call.args.items() if k not in ("blocks", "view")}
                lines.append(f"  {call.method} {args} -> {outcome}{fault}")
            if self._violations:
                lines.append("violations:")
                lines.extend(f"  {v}" for v in self._violations)
        return "\n".join(lines)
