"""The exception method handlers raise to answer a call with a Slack error."""

from __future__ import annotations

from typing import Any


class SlackError(Exception):
    """A Slack Web API error answer: ``{"ok": false, "error": code, **extra}``.

    ``violation`` (when set) is recorded in ``emu.violations``: the call broke a documented rule that a
    correct client never breaks, as opposed to a state-dependent error such as ``name_taken``.
    """

    def __init__(self, error: str, *, violation: str | None = None, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.violation = violation
        self.extra: dict[str, Any] = extra

    def body(self) -> dict[str, Any]:
        """The JSON body Slack would answer with."""
        return {"ok": False, "error": self.error, **self.extra}
