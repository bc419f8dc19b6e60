"""Cursor pagination the way Slack does it: opaque base64 cursors, ``response_metadata.next_cursor``."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any, TypeVar

from .args import Args
from .errors import SlackError

T = TypeVar("T")


def encode_cursor(offset: int, kind: str = "item") -> str:
    """An opaque cursor pointing at ``offset``."""
    return base64.b64encode(f"{kind}:{offset}".encode()).decode()


def decode_cursor(cursor: str, method: str) -> int:
    """The offset a cursor points at (``invalid_cursor`` if it was not issued by the emulator)."""
    try:
        kind, _, offset = base64.b64decode(cursor.encode(), validate=True).decode().partition(":")
        value = int(offset)
        if not kind or value < 0:
            raise ValueError(cursor)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise SlackError("invalid_cursor", violation=f"{method}: cursor {cursor!r} was not issued by Slack") from exc
    return value


def read_limit(args: Args, default: int, maximum: int) -> int:
    """The ``limit`` argument: default when absent or 0, clamped to ``maximum``; invalid_limit if negative."""
    limit = args.integer("limit", default, error="invalid_limit")
    if limit < 0:
        raise SlackError("invalid_limit", violation=f"{args.method}: limit must be >= 0")
    if limit == 0:
        return default
    return min(limit, maximum)


def paginate(items: Sequence[T], args: Args, *, default: int, maximum: int) -> tuple[list[T], str]:
    """One page of ``items`` per the call's cursor/limit, and the next cursor ('' at the end)."""
    cursor = args.string("cursor") or ""
    start = decode_cursor(cursor, args.method) if cursor else 0
    limit = read_limit(args, default, maximum)
    page = list(items[start : start + limit])
    end = start + len(page)
    return page, encode_cursor(end) if end < len(items) else ""


def with_cursor(body: dict[str, Any], next_cursor: str) -> dict[str, Any]:
    """Add ``response_metadata.next_cursor`` to a response body."""
    body["response_metadata"] = {"next_cursor": next_cursor}
    return body
