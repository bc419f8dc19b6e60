"""conversations.* handlers (except history/replies): create, info, list, invite, join, topic, archive…"""

from __future__ import annotations

from typing import Any

from .models import Channel, TopicValue
from .names import channel_name_error
from .paging import paginate, with_cursor
from .registry import Ctx, handler
from .shapes import conversation_json

MAX_TOPIC = 250
MAX_PURPOSE = 250
_TYPES = frozenset({"public_channel", "private_channel", "im", "mpim"})


def _created_json(ctx: Ctx, ch: Channel) -> dict[str, Any]:
    data = conversation_json(ctx.emu, ch)
    data.update({"last_read": "0000000000.000000", "latest": None, "unread_count": 0, "unread_count_display": 0})
    data.update({"is_open": True, "priority": 0})
    return data


def _join(ctx: Ctx, ch: Channel, user_id: str) -> None:
    ch.members.append(user_id)
    name = ctx.emu.users[user_id].name
    ctx.emu.add_system_message(ch, "channel_join", user_id, f"<@{user_id}|{name}> has joined the channel")


@handler("conversations.create")
def conversations_create(ctx: Ctx) -> dict[str, Any]:
    """Create a channel; the bot (creator) joins it."""
    emu = ctx.emu
    name = ctx.args.text("name")
    error = channel_name_error(name)
    if error:
        ctx.fail(error, f"invalid channel name {name!r} ({error}; see NOTES §2.8)")
    is_private = ctx.args.flag("is_private")
    ctx.require_scope_for("private_channel" if is_private else "public_channel")
    if emu.channel_by_name(name) is not None:
        ctx.fail("name_taken")
    now = int(emu.now())
    ch = Channel(
        id=emu.ids.next("C"),
        name=name,
        created=now,
        creator=emu.bot_user_id,
        is_private=is_private,
        updated=now * 1000,
    )
    emu.channels[ch.id] = ch
    _join(ctx, ch, emu.bot_user_id)
    return {"ok": True, "channel": _created_json(ctx, ch)}


@handler("conversations.info")
def conversations_info(ctx: Ctx) -> dict[str, Any]:
    """One conversation (private ones only if the bot is a member)."""
    ch = ctx.channel()
    return {"ok": True, "channel": conversation_json(ctx.emu, ch, num_members=ctx.args.flag("include_num_members"))}


@handler("conversations.list")
def conversations_list(ctx: Ctx) -> dict[str, Any]:
    """Conversations visible to the bot, filtered by ``types``/``exclude_archived``, cursor-paginated."""
    types = ctx.args.csv("types") or ["public_channel"]
    unknown = [t for t in types if t not in _TYPES]
    if unknown:
        ctx.fail("invalid_types", f"unknown conversation types {unknown}")
    exclude_archived = ctx.args.flag("exclude_archived")
    chosen = [
        c
        for c in ctx.emu.channels.values()
        if c.type_name in types and ctx.visible(c) and not (exclude_archived and c.is_archived)
    ]
    page, cursor = paginate(chosen, ctx.args, default=100, maximum=1000)
    channels = [conversation_json(ctx.emu, c, num_members=not c.is_im) for c in page]
    return with_cursor({"ok": True, "channels": channels}, cursor)


@handler("conversations.members")
def conversations_members(ctx: Ctx) -> dict[str, Any]:
    """Member ids, cursor-paginated."""
    ch = ctx.channel()
    page, cursor = paginate(ch.members, ctx.args, default=100, maximum=1000)
    return with_cursor({"ok": True, "members": page}, cursor)


@handler("conversations.invite")
def conversations_invite(ctx: Ctx) -> dict[str, Any]:
    """Invite users (comma list); per-user errors as Slack reports them; ``force`` invites the valid ones."""
    emu = ctx.emu
    ch = ctx.channel()
    ctx.require_channel_type(ch)
    ctx.require_active(ch)
    ctx.require_member(ch)
    users = ctx.args.csv("users")
    if not users:
        ctx.fail("no_user", "'users' is empty")
    if len(users) > 1000:
        ctx.fail("too_many_users", "at most 1000 users per call")
    errors: list[dict[str, Any]] = []
    valid: list[str] = []
    for user_id in dict.fromkeys(users):
        user = emu.users.get(user_id)
        if user_id == emu.bot_user_id:
            ctx.violate("the bot tried to invite itself (cant_invite_self); use conversations.join")
            errors.append({"user": user_id, "ok": False, "error": "cant_invite_self"})
        elif user is None or user.deleted:
            errors.append({"user": user_id, "ok": False, "error": "user_not_found"})
        elif ch.has_member(user_id):
            errors.append({"user": user_id, "ok": False, "error": "already_in_channel"})
        else:
            valid.append(user_id)
    if errors and not ctx.args.flag("force"):
        ctx.fail(str(errors[0]["error"]), errors=errors)
    for user_id in valid:
        _join(ctx, ch, user_id)
    body: dict[str, Any] = {"ok": True, "channel": conversation_json(emu, ch)}
    if errors:
        body["errors"] = errors
    return body


@handler("conversations.join")
def conversations_join(ctx: Ctx) -> dict[str, Any]:
    """The bot joins a public channel."""
    ch = ctx.channel()
    ctx.require_channel_type(ch)
    if ch.is_private and not ch.has_member(ctx.emu.bot_user_id):
        ctx.fail("method_not_supported_for_channel_type")
    ctx.require_active(ch)
    if ch.has_member(ctx.emu.bot_user_id):
        return {
            "ok": True,
            "channel": conversation_json(ctx.emu, ch),
            "warning": "already_in_channel",
            "response_metadata": {"warnings": ["already_in_channel"]},
        }
    _join(ctx, ch, ctx.emu.bot_user_id)
    return {"ok": True, "channel": conversation_json(ctx.emu, ch)}


@handler("conversations.leave")
def conversations_leave(ctx: Ctx) -> dict[str, Any]:
    """The bot leaves a channel."""
    ch = ctx.channel()
    ctx.require_channel_type(ch)
    if ch.is_general:
        ctx.fail("cant_leave_general")
    ctx.require_active(ch)
    if not ch.has_member(ctx.emu.bot_user_id):
        return {"ok": False, "not_in_channel": True}
    ch.members.remove(ctx.emu.bot_user_id)
    return {"ok": True}


@handler("conversations.kick")
def conversations_kick(ctx: Ctx) -> dict[str, Any]:
    """Remove a user from a channel."""
    emu = ctx.emu
    ch = ctx.channel()
    ctx.require_channel_type(ch)
    user_id = ctx.args.text("user").strip()
    if user_id == emu.bot_user_id:
        ctx.fail("cant_kick_self")
    if ch.is_general:
        ctx.fail("cant_kick_from_general")
    if user_id not in emu.users:
        ctx.fail("user_not_found")
    ctx.require_member(ch)
    if not ch.has_member(user_id):
        ctx.fail("not_in_channel")
    ch.members.remove(user_id)
    return {"ok": True}


def _set_text(ctx: Ctx, field: str, limit: int, subtype: str) -> dict[str, Any]:
    emu = ctx.emu
    ch = ctx.channel()
    ctx.require_channel_type(ch, allow_im=True)
    ctx.require_active(ch)
    ctx.require_member(ch)
    value = ctx.args.text(field)
    if len(value) > limit:
        ctx.fail("too_long", f"{field} is {len(value)} characters; Slack allows at most {limit}")
    setattr(ch, field, TopicValue(value, emu.bot_user_id, int(emu.now())))
    verb = "set the channel topic" if field == "topic" else "set the channel description"
    emu.add_system_message(ch, subtype, emu.bot_user_id, f"{verb}: {value}")
    return {"ok": True, "channel": conversation_json(emu, ch)}


@handler("conversations.setTopic")
def conversations_set_topic(ctx: Ctx) -> dict[str, Any]:
    """Set the topic (≤250 characters)."""
    return _set_text(ctx, "topic", MAX_TOPIC, "channel_topic")


@handler("conversations.setPurpose")
def conversations_set_purpose(ctx: Ctx) -> dict[str, Any]:
    """Set the purpose/description (≤250 characters)."""
    return _set_text(ctx, "purpose", MAX_PURPOSE, "channel_purpose")


@handler("conversations.archive")
def conversations_archive(ctx: Ctx) -> dict[str, Any]:
    """Archive a channel the bot is in (never #general)."""
    ch = ctx.channel()
    ctx.require_channel_type(ch)
    if ch.is_general:
        ctx.fail("cant_archive_general")
    if ch.is_archived:
        ctx.fail("already_archived")
    ctx.require_member(ch)
    ctx.emu.add_system_message(ch, "channel_archive", ctx.emu.bot_user_id, "archived the channel")
    ch.is_archived = True
    return {"ok": True}


@handler("conversations.unarchive")
def conversations_unarchive(ctx: Ctx) -> dict[str, Any]:
    """Unarchive a channel."""
    ch = ctx.channel()
    ctx.require_channel_type(ch)
    if not ch.is_archived:
        ctx.fail("not_archived")
    ch.is_archived = False
    ctx.emu.add_system_message(ch, "channel_unarchive", ctx.emu.bot_user_id, "un-archived the channel")
    return {"ok": True}


@handler("conversations.rename")
def conversations_rename(ctx: Ctx) -> dict[str, Any]:
    """Rename a channel (same name rules as create)."""
    ch = ctx.channel()
    ctx.require_channel_type(ch)
    ctx.require_active(ch)
    ctx.require_member(ch)
    name = ctx.args.text("name")
    error = channel_name_error(name)
    if error:
        ctx.fail(error, f"invalid channel name {name!r} ({error})")
    other = ctx.emu.channel_by_name(name)
    if other is not None and other is not ch:
        ctx.fail("name_taken")
    if name != ch.name:
        ch.previous_names.insert(0, ch.name)
        ch.name = name
    return {"ok": True, "channel": conversation_json(ctx.emu, ch)}


@handler("conversations.open")
def conversations_open(ctx: Ctx) -> dict[str, Any]:
    """Open (or find) the bot's DM with one user, or a multi-person DM with several."""
    emu = ctx.emu
    channel_ref = ctx.args.text("channel").strip()
    users = ctx.args.csv("users")
    if channel_ref:
        ch = ctx.channel()
        if not (ch.is_im or ch.is_mpim):
            ctx.fail("channel_not_found", "conversations.open 'channel' must be an IM/MPIM id")
        return {"ok": True, "no_op": True, "already_open": True, "channel": _open_json(ctx, ch)}
    if not users:
        ctx.fail("users_list_not_supplied", "pass 'users' or 'channel'")
    for user_id in users:
        if user_id not in emu.users:
            ctx.fail("user_not_found")
    humans = [u for u in dict.fromkeys(users) if u != emu.bot_user_id]
    if not humans:
        ctx.fail("not_enough_users", "the bot cannot open a DM with itself")
    if len(humans) > 8:
        ctx.fail("too_many_users", "a multi-person DM holds at most 8 people")
    existing = emu.dm_channel(humans[0]) if len(humans) == 1 else None
    if ctx.args.flag("prevent_creation") and existing is None and len(humans) == 1:
        return {"ok": True, "no_op": True, "already_open": False}
    ch = emu.open_dm(humans[0]) if len(humans) == 1 else emu.open_mpim(humans)
    body: dict[str, Any] = {"ok": True, "channel": _open_json(ctx, ch)}
    if existing is not None:
        body.update({"no_op": True, "already_open": True})
    return body


def _open_json(ctx: Ctx, ch: Channel) -> dict[str, Any]:
    if ctx.args.flag("return_im") or ch.is_mpim:
        return conversation_json(ctx.emu, ch)
    return {"id": ch.id}


@handler("conversations.mark", "conversations.close")
def conversations_noop(ctx: Ctx) -> dict[str, Any]:
    """Accepted and ignored (read cursors and closing DMs have no visible effect here)."""
    ctx.channel()
    return {"ok": True}
