"""auth.test, team.info and users.* handlers."""

from __future__ import annotations

from typing import Any

from .paging import paginate, with_cursor
from .registry import Ctx, handler
from .shapes import conversation_json, user_json


@handler("auth.test")
def auth_test(ctx: Ctx) -> dict[str, Any]:
    """Who the token belongs to (Bolt calls this to learn bot_user_id/bot_id)."""
    emu = ctx.emu
    return {
        "ok": True,
        "url": f"https://{emu.team_domain}.slack.com/",
        "team": emu.team_name,
        "user": emu.users[emu.bot_user_id].name,
        "team_id": emu.team_id,
        "user_id": emu.bot_user_id,
        "bot_id": emu.bot_id,
        "app_id": emu.app_id,
        "is_enterprise_install": False,
    }


@handler("team.info")
def team_info(ctx: Ctx) -> dict[str, Any]:
    """The workspace."""
    emu = ctx.emu
    return {
        "ok": True,
        "team": {
            "id": emu.team_id,
            "name": emu.team_name,
            "url": f"https://{emu.team_domain}.slack.com/",
            "domain": emu.team_domain,
            "email_domain": f"{emu.team_domain}.test",
            "icon": {"image_default": True},
            "avatar_base_url": "https://ca.slack-edge.com/",
            "is_verified": False,
        },
    }


@handler("users.info")
def users_info(ctx: Ctx) -> dict[str, Any]:
    """One user by id."""
    user = ctx.emu.users.get(ctx.args.text("user").strip())
    if user is None:
        ctx.fail("user_not_found")
    return {"ok": True, "user": user_json(ctx.emu, user)}


@handler("users.list")
def users_list(ctx: Ctx) -> dict[str, Any]:
    """All users, cursor-paginated (everything in one page when no limit is given)."""
    users = list(ctx.emu.users.values())
    page, cursor = paginate(users, ctx.args, default=max(len(users), 1), maximum=1000)
    body = {
        "ok": True,
        "members": [user_json(ctx.emu, u) for u in page],
        "cache_ts": int(ctx.emu.now()),
    }
    return with_cursor(body, cursor)


@handler("users.lookupByEmail")
def users_lookup_by_email(ctx: Ctx) -> dict[str, Any]:
    """A user by email address."""
    email = ctx.args.text("email").strip().lower()
    user = next((u for u in ctx.emu.users.values() if u.email and u.email.lower() == email), None)
    if user is None:
        ctx.fail("users_not_found")
    return {"ok": True, "user": user_json(ctx.emu, user)}


@handler("users.conversations")
def users_conversations(ctx: Ctx) -> dict[str, Any]:
    """Conversations a user (default: the bot) is a member of."""
    emu = ctx.emu
    user_id = ctx.args.text("user").strip() or emu.bot_user_id
    if user_id not in emu.users:
        ctx.fail("user_not_found")
    types = set(ctx.args.csv("types") or ["public_channel"])
    channels = [
        c
        for c in emu.channels.values()
        if c.has_member(user_id)
        and ctx.visible(c)
        and c.type_name in types
        and not (ctx.args.flag("exclude_archived") and c.is_archived)
    ]
    page, cursor = paginate(channels, ctx.args, default=100, maximum=1000)
    return with_cursor({"ok": True, "channels": [conversation_json(emu, c) for c in page]}, cursor)


@handler("usergroups.list")
def usergroups_list(ctx: Ctx) -> dict[str, Any]:
    """The workspace's user groups (disabled ones only with include_disabled; members with include_users)."""
    emu = ctx.emu
    groups = [g for g in emu.usergroups.values() if ctx.args.flag("include_disabled") or not g.deleted]
    body = []
    for group in groups:
        entry: dict[str, Any] = {
            "id": group.id,
            "team_id": emu.team_id,
            "is_usergroup": True,
            "name": group.name,
            "description": group.description,
            "handle": group.handle,
            "is_external": False,
            "date_delete": 1 if group.deleted else 0,
            "user_count": len(group.members),
        }
        if ctx.args.flag("include_users"):
            entry["users"] = list(group.members)
        body.append(entry)
    return {"ok": True, "usergroups": body}
