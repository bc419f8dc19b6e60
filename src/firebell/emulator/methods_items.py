"""pins.*, reactions.* and bookmarks.* handlers."""

from __future__ import annotations

import re
from typing import Any

from .ids import is_ts
from .models import Bookmark, Channel, Message
from .registry import Ctx, handler
from .shapes import bookmark_json, message_json, permalink

MAX_PINS = 100
MAX_BOOKMARKS = 100
_EMOJI_RE = re.compile(r"^[a-z0-9_+'\-]+(::skin-tone-[2-6])?$")


def _target(ctx: Ctx, ch: Channel) -> Message:
    ts = ctx.args.text("timestamp").strip()
    if not ts:
        ctx.fail("no_item_specified", "pass 'timestamp' (the message ts)")
    if not is_ts(ts):
        ctx.fail("bad_timestamp", f"timestamp {ts!r} is not a Slack ts")
    message = ch.messages.get(ts)
    if message is None:
        ctx.fail("message_not_found")
    return message


@handler("pins.add")
def pins_add(ctx: Ctx) -> dict[str, Any]:
    """Pin a message (bot must be in the channel)."""
    ch = ctx.channel()
    ctx.require_member(ch)
    message = _target(ctx, ch)
    if message.pinned:
        ctx.fail("already_pinned")
    if sum(1 for m in ch.messages.values() if m.pinned) >= MAX_PINS:
        ctx.fail("too_many_pins")
    message.pinned, message.pinned_by, message.pinned_at = True, ctx.emu.bot_user_id, int(ctx.emu.now())
    return {"ok": True}


@handler("pins.remove")
def pins_remove(ctx: Ctx) -> dict[str, Any]:
    """Unpin a message."""
    ch = ctx.channel()
    message = _target(ctx, ch)
    if not message.pinned:
        ctx.fail("no_pin")
    message.pinned, message.pinned_by, message.pinned_at = False, None, None
    return {"ok": True}


@handler("pins.list")
def pins_list(ctx: Ctx) -> dict[str, Any]:
    """Pinned messages, most recently pinned first."""
    ch = ctx.channel()
    pinned = sorted((m for m in ch.messages.values() if m.pinned), key=lambda m: m.pinned_at or 0, reverse=True)
    items = []
    for m in pinned:
        data = message_json(ctx.emu, m)
        data["permalink"] = permalink(ctx.emu, ch.id, m.ts, m.thread_ts)
        items.append(
            {"type": "message", "created": m.pinned_at, "created_by": m.pinned_by, "channel": ch.id, "message": data}
        )
    return {"ok": True, "items": items}


def _reaction_name(ctx: Ctx) -> str:
    name = ctx.args.text("name").strip()
    if not _EMOJI_RE.match(name):
        ctx.fail("invalid_name", f"reaction name {name!r} must be an emoji name without colons, e.g. 'pushpin'")
    return name


@handler("reactions.add")
def reactions_add(ctx: Ctx) -> dict[str, Any]:
    """Add the bot's reaction to a message."""
    ch = ctx.channel()
    ctx.require_active(ch)
    name = _reaction_name(ctx)
    message = _target(ctx, ch)
    users = message.reactions.setdefault(name, [])
    if ctx.emu.bot_user_id in users:
        ctx.fail("already_reacted")
    users.append(ctx.emu.bot_user_id)
    return {"ok": True}


@handler("reactions.remove")
def reactions_remove(ctx: Ctx) -> dict[str, Any]:
    """Remove the bot's reaction from a message."""
    ch = ctx.channel()
    name = _reaction_name(ctx)
    message = _target(ctx, ch)
    users = message.reactions.get(name, [])
    if ctx.emu.bot_user_id not in users:
        ctx.fail("no_reaction")
    users.remove(ctx.emu.bot_user_id)
    if not users:
        del message.reactions[name]
    return {"ok": True}


@handler("reactions.get")
def reactions_get(ctx: Ctx) -> dict[str, Any]:
    """A message with its reactions."""
    ch = ctx.channel()
    message = _target(ctx, ch)
    return {"ok": True, "type": "message", "channel": ch.id, "message": message_json(ctx.emu, message)}


def _link(ctx: Ctx, link: str) -> str:
    if not link.startswith(("http://", "https://")):
        ctx.fail("invalid_link", f"bookmark link {link!r} must start with http:// or https://")
    return link


def _bookmark(ctx: Ctx, ch: Channel) -> Bookmark:
    bookmark_id = ctx.args.text("bookmark_id").strip()
    found = next((b for b in ch.bookmarks if b.id == bookmark_id), None)
    if found is None:
        ctx.fail("not_found")
    return found


@handler("bookmarks.add")
def bookmarks_add(ctx: Ctx) -> dict[str, Any]:
    """Add a link bookmark (type must be ``link``; ≤100 per channel)."""
    emu = ctx.emu
    ch = ctx.channel("channel_id")
    kind = ctx.args.text("type")
    if kind != "link":
        ctx.fail("invalid_bookmark_type", f"bookmark type {kind!r}; bots can only add type=link")
    link = _link(ctx, ctx.args.text("link").strip())
    if len(ch.bookmarks) >= MAX_BOOKMARKS:
        ctx.fail("too_many_bookmarks")
    now = int(emu.now())
    bookmark = Bookmark(
        id=emu.ids.next("Bk"),
        channel_id=ch.id,
        title=ctx.args.text("title"),
        link=link,
        type=kind,
        emoji=ctx.args.string("emoji"),
        created=now,
        updated=now,
        created_by=emu.bot_user_id,
    )
    ch.bookmarks.append(bookmark)
    return {"ok": True, "bookmark": bookmark_json(emu, bookmark)}


@handler("bookmarks.edit")
def bookmarks_edit(ctx: Ctx) -> dict[str, Any]:
    """Change a bookmark's title/link/emoji."""
    ch = ctx.channel("channel_id")
    bookmark = _bookmark(ctx, ch)
    if ctx.args.present("link"):
        bookmark.link = _link(ctx, ctx.args.text("link").strip())
    if ctx.args.present("title"):
        bookmark.title = ctx.args.text("title")
    if ctx.args.raw.get("emoji") is not None:
        bookmark.emoji = ctx.args.string("emoji")
    bookmark.updated = int(ctx.emu.now())
    return {"ok": True, "bookmark": bookmark_json(ctx.emu, bookmark)}


@handler("bookmarks.remove")
def bookmarks_remove(ctx: Ctx) -> dict[str, Any]:
    """Remove a bookmark."""
    ch = ctx.channel("channel_id")
    ch.bookmarks.remove(_bookmark(ctx, ch))
    return {"ok": True}


@handler("bookmarks.list")
def bookmarks_list(ctx: Ctx) -> dict[str, Any]:
    """A channel's bookmarks."""
    ch = ctx.channel("channel_id")
    return {"ok": True, "bookmarks": [bookmark_json(ctx.emu, b) for b in ch.bookmarks]}
