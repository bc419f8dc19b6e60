"""conversations.history and conversations.replies: bounded, cursor-paginated message reads."""

from __future__ import annotations

from typing import Any

from .ids import is_ts, ts_to_us
from .models import Channel, Message
from .paging import paginate, with_cursor
from .registry import Ctx, handler
from .shapes import message_json, replies_index


def _bound(ctx: Ctx, name: str, error: str) -> int | None:
    raw = ctx.args.text(name).strip()
    if not raw:
        return None
    if not is_ts(raw):
        ctx.fail(error, f"'{name}' must be a Slack timestamp like 1700000000.000100, got {raw!r}")
    return ts_to_us(raw)


def _in_range(ctx: Ctx, messages: list[Message]) -> list[Message]:
    oldest = _bound(ctx, "oldest", "invalid_ts_oldest")
    latest = _bound(ctx, "latest", "invalid_ts_latest")
    inclusive = ctx.args.flag("inclusive")
    kept = []
    for m in messages:
        us = ts_to_us(m.ts)
        if oldest is not None and (us < oldest or (us == oldest and not inclusive)):
            continue
        if latest is not None and (us > latest or (us == latest and not inclusive)):
            continue
        kept.append(m)
    return kept


def _readable_channel(ctx: Ctx) -> Channel:
    ch = ctx.channel()
    if not (ch.is_im or ch.is_mpim):
        ctx.require_member(ch)
    return ch


@handler("conversations.history")
def conversations_history(ctx: Ctx) -> dict[str, Any]:
    """Top-level messages (and broadcast replies), newest first."""
    ch = _readable_channel(ctx)
    include_metadata = ctx.args.flag("include_all_metadata")
    top = [m for m in ch.messages.values() if not m.is_reply or m.reply_broadcast]
    newest_first = list(reversed(_in_range(ctx, top)))
    page, cursor = paginate(newest_first, ctx.args, default=100, maximum=999)
    index = replies_index(ch.messages.values())
    body: dict[str, Any] = {
        "ok": True,
        "messages": [message_json(ctx.emu, m, include_metadata=include_metadata, index=index) for m in page],
        "has_more": bool(cursor),
        "pin_count": sum(1 for m in ch.messages.values() if m.pinned),
        "channel_actions_ts": None,
        "channel_actions_count": 0,
    }
    return with_cursor(body, cursor)


@handler("conversations.replies")
def conversations_replies(ctx: Ctx) -> dict[str, Any]:
    """A thread: the parent first, then replies oldest first (``ts`` may be the parent or a reply)."""
    ch = _readable_channel(ctx)
    ts = ctx.args.text("ts").strip()
    found = ch.messages.get(ts)
    if found is None or found.subtype in ("channel_join", "channel_leave"):
        ctx.fail("thread_not_found")
    if not (ch.is_im or ch.is_mpim):
        ctx.warn(
            "docs.slack.dev says bot tokens lack permission for conversations.replies on public/private "
            "channels (only DMs); the emulator allows it, real Slack may not"
        )
    parent = ch.messages.get(found.thread_ts or found.ts)
    if parent is None:
        ctx.fail("thread_not_found")
    replies = [m for m in ch.messages.values() if m.thread_ts == parent.ts and m.ts != parent.ts]
    items = [parent, *_in_range(ctx, replies)]
    include_metadata = ctx.args.flag("include_all_metadata")
    page, cursor = paginate(items, ctx.args, default=1000, maximum=1000)
    index = {parent.ts: replies}
    body: dict[str, Any] = {
        "ok": True,
        "messages": [message_json(ctx.emu, m, include_metadata=include_metadata, index=index) for m in page],
        "has_more": bool(cursor),
    }
    return with_cursor(body, cursor)
