"""Block Kit field rules: the error collector, primitive rules and composition objects."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class Checker:
    """Collects validation errors in Slack's ``"<message> [json-pointer:/path]"`` form."""

    def __init__(self, *, strict_action_ids: bool) -> None:
        self.errors: list[str] = []
        self.strict_action_ids = strict_action_ids
        self.block_ids: dict[str, str] = {}
        self.action_ids: dict[tuple[int, str], str] = {}
        self.block_index = 0

    def err(self, ptr: str, message: str) -> None:
        """Record one error at a JSON pointer."""
        self.errors.append(f"{message} [json-pointer:{ptr}]")

    def note_action_id(self, action_id: str, ptr: str) -> None:
        """Record an action_id; duplicates are errors (message/view-wide when strict, else per block)."""
        scope = 0 if self.strict_action_ids else self.block_index
        key = (scope, action_id)
        if key in self.action_ids:
            where = "message or view" if self.strict_action_ids else "block"
            self.err(ptr, f"action_id '{action_id}' is already used in this {where} (at {self.action_ids[key]})")
        else:
            self.action_ids[key] = ptr


Rule = Callable[[Checker, Any, str], None]
Schema = dict[str, tuple[Rule, bool]]


def check_object(c: Checker, value: Any, ptr: str, schema: Schema) -> bool:
    """Check an object against a schema: no unknown keys, required keys present, each rule."""
    if not isinstance(value, dict):
        c.err(ptr, "must provide an object")
        return False
    for key in value:
        if key != "type" and key not in schema:
            c.err(f"{ptr}/{key}", f"invalid additional property: {key}")
    for key, (rule, required) in schema.items():
        item = value.get(key)
        if item is None:
            if required:
                c.err(ptr, f"missing required field: {key}")
            continue
        rule(c, item, f"{ptr}/{key}")
    return True


def string(max_len: int | None = None, *, min_len: int = 0, pattern: re.Pattern[str] | None = None) -> Rule:
    """A string with optional length bounds and pattern."""

    def rule(c: Checker, value: Any, ptr: str) -> None:
        if not isinstance(value, str):
            c.err(ptr, "must provide a string")
            return
        if len(value) < min_len:
            c.err(ptr, f"must be more than {min_len - 1} characters")
        if max_len is not None and len(value) > max_len:
            c.err(ptr, f"must be less than {max_len + 1} characters")
        if pattern is not None and not pattern.match(value):
            c.err(ptr, f"does not match the required format {pattern.pattern}")

    return rule


def boolean() -> Rule:
    """A JSON boolean."""

    def rule(c: Checker, value: Any, ptr: str) -> None:
        if not isinstance(value, bool):
            c.err(ptr, "must provide a boolean")

    return rule


def integer(lo: int | None = None, hi: int | None = None) -> Rule:
    """A JSON integer within bounds."""

    def rule(c: Checker, value: Any, ptr: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            c.err(ptr, "must provide an integer")
            return
        if lo is not None and value < lo:
            c.err(ptr, f"must be at least {lo}")
        if hi is not None and value > hi:
            c.err(ptr, f"must be at most {hi}")

    return rule


def enum(*values: str) -> Rule:
    """One of a fixed set of strings."""

    def rule(c: Checker, value: Any, ptr: str) -> None:
        if value not in values:
            c.err(ptr, f"must be one of: {', '.join(values)}")

    return rule


def any_object() -> Rule:
    """Any JSON object (not inspected further)."""

    def rule(c: Checker, value: Any, ptr: str) -> None:
        if not isinstance(value, dict):
            c.err(ptr, "must provide an object")

    return rule


def string_list(max_items: int | None = None) -> Rule:
    """An array of strings."""

    def rule(c: Checker, value: Any, ptr: str) -> None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            c.err(ptr, "must provide an array of strings")
            return
        if max_items is not None and len(value) > max_items:
            c.err(ptr, f"no more than {max_items} items allowed")

    return rule


def text_object(max_len: int, *, plain: bool = False) -> Rule:
    """A composition text object (plain_text, or mrkdwn too unless ``plain``), 1..max_len characters."""

    def rule(c: Checker, value: Any, ptr: str) -> None:
        if not isinstance(value, dict):
            c.err(ptr, "must provide an object")
            return
        kind = value.get("type")
        allowed = ("plain_text",) if plain else ("plain_text", "mrkdwn")
        if kind not in allowed:
            c.err(f"{ptr}/type", f"must be one of: {', '.join(allowed)}")
        for key in value:
            if key not in {"type", "text", "emoji", "verbatim"}:
                c.err(f"{ptr}/{key}", f"invalid additional property: {key}")
        if "emoji" in value and (kind != "plain_text" or not isinstance(value["emoji"], bool)):
            c.err(f"{ptr}/emoji", "emoji is only allowed (as a boolean) on plain_text")
        if "verbatim" in value and (kind != "mrkdwn" or not isinstance(value["verbatim"], bool)):
            c.err(f"{ptr}/verbatim", "verbatim is only allowed (as a boolean) on mrkdwn")
        text = value.get("text")
        if not isinstance(text, str):
            c.err(ptr, "missing required field: text")
            return
        string(max_len, min_len=1)(c, text, f"{ptr}/text")

    return rule


def array(item: Rule, *, min_items: int = 0, max_items: int | None = None) -> Rule:
    """An array whose items each satisfy ``item``."""

    def rule(c: Checker, value: Any, ptr: str) -> None:
        if not isinstance(value, list):
            c.err(ptr, "must provide an array")
            return
        if len(value) < min_items:
            c.err(ptr, f"must provide at least {min_items} items")
        if max_items is not None and len(value) > max_items:
            c.err(ptr, f"no more than {max_items} items allowed")
        for i, v in enumerate(value):
            item(c, v, f"{ptr}/{i}")

    return rule


def option(*, plain: bool = True, allow_url: bool = False) -> Rule:
    """An option object (text ≤75, value ≤150, description ≤75, url only in overflow menus)."""
    schema: Schema = {
        "text": (text_object(75, plain=plain), True),
        "value": (string(150), True),
        "description": (text_object(75, plain=plain), False),
    }
    if allow_url:
        schema["url"] = (string(3000), False)

    def rule(c: Checker, value: Any, ptr: str) -> None:
        check_object(c, value, ptr, schema)

    return rule


def option_group() -> Rule:
    """An option group (label ≤75, up to 100 options)."""
    schema: Schema = {
        "label": (text_object(75, plain=True), True),
        "options": (array(option(), min_items=1, max_items=100), True),
    }

    def rule(c: Checker, value: Any, ptr: str) -> None:
        check_object(c, value, ptr, schema)

    return rule


def confirm() -> Rule:
    """A confirmation dialog object."""
    schema: Schema = {
        "title": (text_object(100, plain=True), True),
        "text": (text_object(300), True),
        "confirm": (text_object(30, plain=True), True),
        "deny": (text_object(30, plain=True), True),
        "style": (enum("primary", "danger"), False),
    }

    def rule(c: Checker, value: Any, ptr: str) -> None:
        check_object(c, value, ptr, schema)

    return rule
