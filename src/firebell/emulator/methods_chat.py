"""chat.* handlers: postMessage, update, delete, postEphemeral, getPermalink."""

from __future__ import annotations

from typing import Any

from .content import read_content, read_metadata
from .ids import is_ts
from .models import Channel, Ephemeral, Message
from .registry import Ctx, handler
from .shapes import message_json, permalink

MAX_UPDATE_TEXT = 4_000  # docs.slack.dev chat.update msg_too_long: "text cannot exceed 4,000 characters"


def require_can_post(ctx: Ctx, ch: Channel) -> None:
    """The bot must be in the conversation (public channels: unless it has chat:write.public)."""
    if ch.has_member(ctx.emu.bot_user_id):
        return
    if ch.is_public and ctx.emu.scopes is not None and "chat:write.public" in ctx.emu.scopes:
        return
    ctx.fail("not_in_channel")


def thread_parent(ctx: Ctx, ch: Channel) -> str | None:
    """The ``thread_ts`` argument, normalised to the thread's parent ts (violations for misuse)."""
    raw = ctx.args.text("thread_ts").strip()
    if not raw:
        return None
    if not is_ts(raw):
        ctx.violate(f"thread_ts {raw!r} is not a message timestamp; Slack posts to the channel instead")
        return None
    target = ch.messages.get(raw)
    if target is None:
        ctx.violate(f"thread_ts {raw} matches no message in {ch.id}; the reply would be orphaned")
        return raw
    if target.is_reply and target.thread_ts is not None:
        ctx.violate(f"thread_ts {raw} is a reply; use its parent's ts {target.thread_ts}")
        return target.thread_ts
    return raw


def _own_message(ctx: Ctx, ch: Channel, ts_arg: str, not_yours: str) -> Message:
    ts = ctx.args.text(ts_arg).strip()
    message = ch.messages.get(ts)
    if message is None:
        ctx.fail("message_not_found")
    if message.bot_id != ctx.emu.bot_id:
        ctx.fail(not_yours, f"message {ts} was not posted by the app")
    return message


@handler("chat.postMessage")
def chat_post_message(ctx: Ctx) -> dict[str, Any]:
    """Post as the bot: membership, thread, blocks, metadata, 40k truncation, reply_broadcast."""
    emu = ctx.emu
    ch = ctx.channel(allow_name=True, allow_user=True)
    ctx.require_active(ch)
    require_can_post(ctx, ch)
    content = read_content(emu, ctx.args)
    metadata = read_metadata(ctx.args)
    thread_ts = thread_parent(ctx, ch)
    broadcast = ctx.args.flag("reply_broadcast") and thread_ts is not None
    message = emu.store_message(
        Message(
            ts=emu.next_ts(),
            channel=ch.id,
            user=emu.bot_user_id,
            bot_id=emu.bot_id,
            app_id=emu.app_id,
            text=content.text if content.markdown_text is None else content.markdown_text,
            blocks=content.blocks or [],
            attachments=content.attachments or [],
            thread_ts=thread_ts,
            metadata=metadata,
            reply_broadcast=broadcast,
            subtype="thread_broadcast" if broadcast else None,
        )
    )
    body: dict[str, Any] = {"ok": True, "channel": ch.id, "ts": message.ts, "message": message_json(emu, message)}
    if content.warnings:
        body["warning"] = ",".join(content.warnings)
        body["response_metadata"] = {"warnings": content.warnings}
    return body


@handler("chat.update")
def chat_update(ctx: Ctx) -> dict[str, Any]:
    """Edit one of the app's messages (text ≤4,000; blocks kept unless sent; ``[]`` clears them)."""
    emu = ctx.emu
    ch = ctx.channel()
    message = _own_message(ctx, ch, "ts", "cant_update_message")
    content = read_content(emu, ctx.args, max_text=MAX_UPDATE_TEXT, truncate=False)
    metadata = read_metadata(ctx.args)
    if ctx.args.raw.get("text") is not None:
        message.text = content.text
    elif content.markdown_text is not None:
        message.text = content.markdown_text
    if content.blocks is not None:
        message.blocks = content.blocks
    if content.attachments is not None:
        message.attachments = content.attachments
    if metadata is not None:
        message.metadata = metadata
    message.edited += 1
    message.edited_ts = emu.next_ts()
    return {
        "ok": True,
        "channel": ch.id,
        "ts": message.ts,
        "text": message.text,
        "message": message_json(emu, message),
    }


@handler("chat.delete")
def chat_delete(ctx: Ctx) -> dict[str, Any]:
    """Delete one of the app's messages (a parent with replies becomes a tombstone, like Slack)."""
    ch = ctx.channel()
    message = _own_message(ctx, ch, "ts", "cant_delete_message")
    has_replies = any(m.thread_ts == message.ts and m.ts != message.ts for m in ch.messages.values())
    if has_replies:
        ch.messages[message.ts] = Message(
            ts=message.ts,
            channel=ch.id,
            user="USLACKBOT",
            text="This message was deleted.",
            thread_ts=message.ts,
            subtype="tombstone",
        )
    else:
        del ch.messages[message.ts]
    return {"ok": True, "channel": ch.id, "ts": message.ts}


@handler("chat.postEphemeral")
def chat_post_ephemeral(ctx: Ctx) -> dict[str, Any]:
    """Show a message to one channel member."""
    emu = ctx.emu
    ch = ctx.channel(allow_name=True)
    ctx.require_active(ch)
    require_can_post(ctx, ch)
    user_id = ctx.args.text("user").strip()
    if user_id not in emu.users or not ch.has_member(user_id):
        ctx.fail("user_not_in_channel")
    content = read_content(emu, ctx.args, max_text=40_000, truncate=False)
    thread_ts = thread_parent(ctx, ch)
    ts = emu.next_ts()
    emu.add_ephemeral(
        Ephemeral(
            channel=ch.id,
            user=user_id,
            text=content.text if content.markdown_text is None else content.markdown_text,
            blocks=content.blocks or [],
            via="chat.postEphemeral",
            ts=ts,
            thread_ts=thread_ts,
            attachments=content.attachments or [],
        )
    )
    return {"ok": True, "message_ts": ts}


@handler("chat.getPermalink")
def chat_get_permalink(ctx: Ctx) -> dict[str, Any]:
    """A permalink to a message."""
    ch = ctx.channel()
    ts = ctx.args.text("message_ts").strip()
    message = ch.messages.get(ts)
    if message is None:
        ctx.fail("message_not_found")
    return {"ok": True, "channel": ch.id, "permalink": permalink(ctx.emu, ch.id, ts, message.thread_ts)}
