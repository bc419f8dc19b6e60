"""Block Kit validation for messages, modals and Home tabs (limits from docs.slack.dev and NOTES §2.9)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, Literal

from .block_elements import ACTIONS_ELEMENTS, ELEMENT_SCHEMAS, INPUT_ELEMENTS, SECTION_ACCESSORIES, check_element
from .block_rules import Checker, Rule, Schema, any_object, array, boolean, check_object, enum, string, text_object

Surface = Literal["message", "modal", "home"]

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_VIEW_BYTES = 250 * 1024

_MESSAGE_TYPES = frozenset(
    {"section", "header", "divider", "context", "actions", "input", "image", "rich_text", "file", "video", "markdown"}
)
_VIEW_TYPES = frozenset({"section", "header", "divider", "context", "actions", "input", "image", "rich_text", "video"})
_RICH_TEXT_TYPES = frozenset({"rich_text_section", "rich_text_list", "rich_text_preformatted", "rich_text_quote"})
_INTERACTIVE_CONTAINERS = ("accessory", "element", "elements")


def _element_rule(allowed: frozenset[str], where: str) -> Rule:
    def rule(c: Checker, value: Any, ptr: str) -> None:
        check_element(c, value, ptr, allowed, where)

    return rule


def _context_element(c: Checker, value: Any, ptr: str) -> None:
    if isinstance(value, dict) and value.get("type") == "image":
        check_element(c, value, ptr, frozenset({"image"}), "a context block")
    else:
        text_object(3000)(c, value, ptr)


def _rich_text_element(c: Checker, value: Any, ptr: str) -> None:
    if not isinstance(value, dict):
        c.err(ptr, "must provide an object")
    elif value.get("type") not in _RICH_TEXT_TYPES:
        c.err(f"{ptr}/type", f"must be one of: {', '.join(sorted(_RICH_TEXT_TYPES))}")
    elif not isinstance(value.get("elements"), list):
        c.err(ptr, "missing required field: elements")


_BLOCK_ID: tuple[Rule, bool] = (string(255, min_len=1), False)

BLOCK_SCHEMAS: dict[str, Schema] = {
    "section": {
        "block_id": _BLOCK_ID,
        "text": (text_object(3000), False),
        "fields": (array(text_object(2000), min_items=1, max_items=10), False),
        "accessory": (_element_rule(SECTION_ACCESSORIES, "a section accessory"), False),
        "expand": (boolean(), False),
    },
    "header": {"block_id": _BLOCK_ID, "text": (text_object(150, plain=True), True)},
    "divider": {"block_id": _BLOCK_ID},
    "context": {"block_id": _BLOCK_ID, "elements": (array(_context_element, min_items=1, max_items=10), True)},
    "actions": {
        "block_id": _BLOCK_ID,
        "elements": (array(_element_rule(ACTIONS_ELEMENTS, "an actions block"), min_items=1, max_items=25), True),
    },
    "input": {
        "block_id": _BLOCK_ID,
        "label": (text_object(2000, plain=True), True),
        "element": (_element_rule(INPUT_ELEMENTS, "an input block"), True),
        "hint": (text_object(2000, plain=True), False),
        "optional": (boolean(), False),
        "dispatch_action": (boolean(), False),
    },
    "image": {
        "block_id": _BLOCK_ID,
        "image_url": (string(3000, min_len=1), False),
        "slack_file": (any_object(), False),
        "alt_text": (string(2000, min_len=1), True),
        "title": (text_object(2000, plain=True), False),
    },
    "rich_text": {"block_id": _BLOCK_ID, "elements": (array(_rich_text_element, min_items=1), True)},
    "file": {"block_id": _BLOCK_ID, "external_id": (string(min_len=1), True), "source": (enum("remote"), True)},
    "video": {
        "block_id": _BLOCK_ID,
        "alt_text": (string(min_len=1), True),
        "title": (text_object(200, plain=True), True),
        "thumbnail_url": (string(3000, min_len=1), True),
        "video_url": (string(3000, min_len=1), True),
        "author_name": (string(50), False),
        "description": (text_object(200, plain=True), False),
        "provider_icon_url": (string(3000), False),
        "provider_name": (string(50), False),
        "title_url": (string(3000), False),
    },
    "markdown": {"block_id": _BLOCK_ID, "text": (string(12000, min_len=1), True)},
}


def _check_block(c: Checker, block: Any, ptr: str, allowed: frozenset[str]) -> None:
    if not isinstance(block, dict):
        c.err(ptr, "must provide an object")
        return
    kind = block.get("type")
    if not isinstance(kind, str) or kind not in BLOCK_SCHEMAS:
        c.err(f"{ptr}/type", f"unknown block type {kind!r}")
        return
    if kind not in allowed:
        c.err(f"{ptr}/type", f"block type {kind} is not allowed on this surface")
        return
    block_id = block.get("block_id")
    if isinstance(block_id, str) and block_id:
        if block_id in c.block_ids:
            c.err(f"{ptr}/block_id", f"block_id '{block_id}' is already used (at {c.block_ids[block_id]})")
        else:
            c.block_ids[block_id] = f"{ptr}/block_id"
    check_object(c, block, ptr, BLOCK_SCHEMAS[kind])
    if kind == "section" and block.get("text") is None and block.get("fields") is None:
        c.err(ptr, "must provide either text or fields")
    if kind == "image" and block.get("image_url") is None and block.get("slack_file") is None:
        c.err(ptr, "must provide either image_url or slack_file")


def _check_block_list(c: Checker, blocks: Any, ptr: str, surface: Surface) -> None:
    if not isinstance(blocks, list):
        c.err(ptr, "must provide an array")
        return
    limit = MAX_MESSAGE_BLOCKS if surface == "message" else MAX_VIEW_BLOCKS
    if len(blocks) > limit:
        c.err(ptr, f"no more than {limit} items allowed")
    allowed = _MESSAGE_TYPES if surface == "message" else _VIEW_TYPES
    for i, block in enumerate(blocks):
        c.block_index = i
        _check_block(c, block, f"{ptr}/{i}", allowed)


def validate_blocks(
    blocks: Any, *, surface: Surface = "message", pointer: str = "/blocks", strict_action_ids: bool = False
) -> list[str]:
    """Errors (``"msg [json-pointer:/blocks/0/text]"``) for a blocks array; empty when valid."""
    c = Checker(strict_action_ids=strict_action_ids)
    _check_block_list(c, blocks, pointer, surface)
    return c.errors


_VIEW_COMMON: Schema = {
    "blocks": (any_object(), True),  # replaced by the block-list check below
    "private_metadata": (string(3000), False),
    "callback_id": (string(255), False),
    "external_id": (string(255, min_len=1), False),
}
_MODAL_SCHEMA: Schema = {
    **_VIEW_COMMON,
    "title": (text_object(24, plain=True), True),
    "close": (text_object(24, plain=True), False),
    "submit": (text_object(24, plain=True), False),
    "clear_on_close": (boolean(), False),
    "notify_on_close": (boolean(), False),
    "submit_disabled": (boolean(), False),
}
_HOME_SCHEMA: Schema = {**_VIEW_COMMON, "title": (text_object(24, plain=True), False)}


def validate_view(view: Any, *, pointer: str = "/view", strict_action_ids: bool = False) -> list[str]:
    """Errors for a modal or Home tab view object (type, title, submit, blocks, metadata limits)."""
    c = Checker(strict_action_ids=strict_action_ids)
    if not isinstance(view, dict):
        c.err(pointer, "must provide an object")
        return c.errors
    kind = view.get("type")
    if kind not in ("modal", "home"):
        c.err(f"{pointer}/type", "must be one of: modal, home")
        return c.errors
    schema = dict(_MODAL_SCHEMA if kind == "modal" else _HOME_SCHEMA)
    schema.pop("blocks")
    rest = {k: v for k, v in view.items() if k != "blocks"}
    check_object(c, rest, pointer, schema)
    if "blocks" not in view:
        c.err(pointer, "missing required field: blocks")
    else:
        _check_block_list(c, view["blocks"], f"{pointer}/blocks", kind)
    has_inputs = any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or [])
    if kind == "modal" and view.get("submit") is None and has_inputs:
        c.err(pointer, "submit is required when the view has input blocks")
    return c.errors


def view_size(view: Any) -> int:
    """Size in bytes of a view's JSON encoding (Slack's limit is 250 kB)."""
    return len(json.dumps(view, ensure_ascii=False).encode("utf-8"))


def input_block_ids(view: dict[str, Any]) -> set[str]:
    """block_ids of the view's input blocks (what ``response_action: errors`` may reference)."""
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        return set()
    return {
        str(b.get("block_id")) for b in blocks if isinstance(b, dict) and b.get("type") == "input" and b.get("block_id")
    }


def with_generated_ids(blocks: list[dict[str, Any]], new_id: Callable[[], str]) -> list[dict[str, Any]]:
    """A deep copy of blocks where missing block_id / action_id are filled in, as Slack stores them."""
    copied: list[dict[str, Any]] = json.loads(json.dumps(blocks))
    for block in copied:
        if not isinstance(block, dict):
            continue
        if not block.get("block_id"):
            block["block_id"] = new_id()
        for key in _INTERACTIVE_CONTAINERS:
            found = block.get(key)
            for el in found if isinstance(found, list) else [found]:
                if isinstance(el, dict) and el.get("type") in ELEMENT_SCHEMAS and el.get("type") != "image":
                    el.setdefault("action_id", new_id())
    return copied


def blocks_text_length(value: Any) -> int:
    """Total characters of every text in a blocks structure (for the msg_blocks_too_long budget)."""
    if isinstance(value, list):
        return sum(blocks_text_length(v) for v in value)
    if not isinstance(value, dict):
        return 0
    total = 0
    if value.get("type") in {"plain_text", "mrkdwn", "text", "markdown", "link"}:
        text = value.get("text")
        if isinstance(text, str):
            total += len(text)
    for key, item in value.items():
        if key != "text" or not isinstance(item, str):
            total += blocks_text_length(item)
    return total


def iter_elements(blocks: Any) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(block, element) pairs for every element with an action_id in a blocks array."""
    if not isinstance(blocks, list):
        return
    for block in blocks:
        if not isinstance(block, dict):
            continue
        for key in _INTERACTIVE_CONTAINERS:
            found = block.get(key)
            candidates = found if isinstance(found, list) else [found]
            for el in candidates:
                if isinstance(el, dict) and el.get("action_id"):
                    yield block, el
