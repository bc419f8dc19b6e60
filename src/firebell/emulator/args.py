"""Typed access to a call's merged arguments, decoded the way Slack decodes form and JSON bodies."""

from __future__ import annotations

import json
from typing import Any

from .errors import SlackError

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no", ""}


class Args:
    """Arguments of one call (query + body merged, token removed).

    Form bodies give strings (arrays/objects as JSON strings, lists as comma lists, booleans as
    ``1``/``0``/``true``/``false``); JSON bodies give native values. Accessors accept both.
    """

    def __init__(self, method: str, raw: dict[str, Any]) -> None:
        self.method = method
        self.raw = raw

    def present(self, name: str) -> bool:
        """Whether an argument was given with a non-empty value."""
        value = self.raw.get(name)
        if value is None:
            return False
        if isinstance(value, str):
            return value.strip() != ""
        return not (isinstance(value, list | dict) and not value)

    def string(self, name: str) -> str | None:
        """A string argument (numbers are stringified), or None when absent."""
        value = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, str):
            return value
        raise SlackError(
            "invalid_arguments",
            violation=f"{self.method}: argument '{name}' must be a string, got {type(value).__name__}",
        )

    def text(self, name: str) -> str:
        """A string argument, '' when absent."""
        return self.string(name) or ""

    def flag(self, name: str, default: bool = False) -> bool:
        """A boolean argument (``true``/``1``/``false``/``0`` or JSON booleans)."""
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise SlackError(
            "invalid_arguments", violation=f"{self.method}: argument '{name}' must be a boolean, got {value!r}"
        )

    def integer(self, name: str, default: int, *, error: str = "invalid_arguments") -> int:
        """An integer argument (the given error code if it is not an integer)."""
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise SlackError(error, violation=f"{self.method}: argument '{name}' must be an integer")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise SlackError(error, violation=f"{self.method}: argument '{name}' must be an integer, got {value!r}")

    def decoded(self, name: str, *, error: str) -> Any:
        """A JSON-typed argument: native list/dict, or a string holding JSON. None when absent."""
        value = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, list | dict):
            return value
        if isinstance(value, str):
            if value.strip() == "":
                return None
            try:
                return json.loads(value)
            except ValueError as exc:
                raise SlackError(
                    error, violation=f"{self.method}: argument '{name}' is not valid JSON ({exc})"
                ) from exc
        raise SlackError(error, violation=f"{self.method}: argument '{name}' must be JSON, got {value!r}")

    def csv(self, name: str) -> list[str]:
        """A comma-separated list argument (also accepts a JSON array). Empty items are dropped."""
        value = self.raw.get(name)
        if value is None:
            return []
        if isinstance(value, list):
            items = [str(v) for v in value]
        elif isinstance(value, str):
            items = value.split(",")
        else:
            raise SlackError(
                "invalid_arguments", violation=f"{self.method}: argument '{name}' must be a comma-separated list"
            )
        return [i.strip() for i in items if i.strip()]
