"""JSON shapes Slack answers with: user, conversation, message, file, bookmark and view objects."""

from __future__ import annotations

import copy
import mimetypes
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .models import Bookmark, Channel, File, Message, User, View

if TYPE_CHECKING:
    from .state import SlackEmulator


def _avatar(user_id: str) -> dict[str, str]:
    base = f"https://avatars.slack-edge.com/emulator/{user_id}"
    return {f"image_{n}": f"{base}_{n}.png" for n in (24, 32, 48, 72, 192, 512)}


def _zone(name: str, now: float) -> dict[str, Any]:
    """Slack's tz_label and tz_offset (seconds east of UTC, now) for a zone name; GMT for one it cannot read."""
    try:
        moment = datetime.fromtimestamp(now, ZoneInfo(name))
    except (ZoneInfoNotFoundError, ValueError):
        return {"tz_label": "Greenwich Mean Time", "tz_offset": 0}
    offset = moment.utcoffset()
    return {"tz_label": moment.tzname() or name, "tz_offset": int(offset.total_seconds()) if offset else 0}


def user_json(emu: SlackEmulator, user: User) -> dict[str, Any]:
    """A users.info / users.list member object."""
    first, _, last = user.real_name.partition(" ")
    profile: dict[str, Any] = {
        "title": "",
        "phone": "",
        "skype": "",
        "real_name": user.real_name,
        "real_name_normalized": user.real_name,
        "display_name": user.name,
        "display_name_normalized": user.name,
        "fields": {},
        "status_text": "",
        "status_emoji": "",
        "status_expiration": 0,
        "avatar_hash": "g" + user.id[-10:].lower(),
        "first_name": first,
        "last_name": last,
        "team": emu.team_id,
        **_avatar(user.id),
    }
    if user.is_bot:
        profile.update({"bot_id": user.bot_id, "api_app_id": emu.app_id, "always_active": True})
    else:
        profile["email"] = user.email
    return {
        "id": user.id,
        "team_id": emu.team_id,
        "name": user.name,
        "deleted": user.deleted,
        "color": "9f69e7",
        "real_name": user.real_name,
        "tz": user.tz,
        **_zone(user.tz, emu.now()),
        "profile": profile,
        "is_admin": user.is_admin,
        "is_owner": False,
        "is_primary_owner": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "updated": user.updated,
        "is_email_confirmed": not user.is_bot,
        "who_can_share_contact_card": "EVERYONE",
    }


def conversation_json(emu: SlackEmulator, ch: Channel, *, num_members: bool = False) -> dict[str, Any]:
    """A conversation object as conversations.info/list/create return it (from the bot's view)."""
    if ch.is_im:
        return {
            "id": ch.id,
            "created": ch.created,
            "is_archived": False,
            "is_im": True,
            "is_org_shared": False,
            "context_team_id": emu.team_id,
            "updated": ch.updated,
            "user": ch.im_user,
            "is_user_deleted": False,
            "priority": 0,
        }
    data: dict[str, Any] = {
        "id": ch.id,
        "name": ch.name,
        "is_channel": not ch.is_mpim,
        "is_group": False,
        "is_im": False,
        "is_mpim": ch.is_mpim,
        "is_private": ch.is_private,
        "created": ch.created,
        "is_archived": ch.is_archived,
        "is_general": ch.is_general,
        "unlinked": 0,
        "name_normalized": ch.name,
        "is_shared": False,
        "is_org_shared": False,
        "is_pending_ext_shared": False,
        "pending_shared": [],
        "context_team_id": emu.team_id,
        "updated": ch.updated,
        "parent_conversation": None,
        "creator": ch.creator,
        "is_ext_shared": False,
        "shared_team_ids": [emu.team_id],
        "pending_connected_team_ids": [],
        "is_member": ch.has_member(emu.bot_user_id),
        "topic": {"value": ch.topic.value, "creator": ch.topic.creator, "last_set": ch.topic.last_set},
        "purpose": {"value": ch.purpose.value, "creator": ch.purpose.creator, "last_set": ch.purpose.last_set},
        "previous_names": list(ch.previous_names),
    }
    if num_members:
        data["num_members"] = len(ch.members)
    return data


def bot_profile(emu: SlackEmulator) -> dict[str, Any]:
    """The bot_profile object attached to the app's messages."""
    bot = emu.users[emu.bot_user_id]
    return {
        "id": emu.bot_id,
        "deleted": False,
        "name": bot.name,
        "updated": bot.updated,
        "app_id": emu.app_id,
        "icons": {"image_36": "", "image_48": "", "image_72": ""},
        "team_id": emu.team_id,
    }


def replies_index(messages: Iterable[Message]) -> dict[str, list[Message]]:
    """Thread replies grouped by parent ts (to render many messages without rescanning the channel)."""
    index: dict[str, list[Message]] = {}
    for m in messages:
        if m.is_reply and m.thread_ts is not None:
            index.setdefault(m.thread_ts, []).append(m)
    return index


def message_json(
    emu: SlackEmulator,
    m: Message,
    *,
    include_metadata: bool = True,
    index: dict[str, list[Message]] | None = None,
) -> dict[str, Any]:
    """A message object as history/replies/postMessage return it."""
    data: dict[str, Any] = {"type": "message"}
    if m.subtype:
        data["subtype"] = m.subtype
    data.update({"text": m.text, "ts": m.ts})
    if m.user:
        data["user"] = m.user
    data["team"] = emu.team_id
    if m.bot_id:
        data.update({"bot_id": m.bot_id, "app_id": m.app_id, "bot_profile": bot_profile(emu)})
    if m.blocks:
        data["blocks"] = copy.deepcopy(m.blocks)
    if m.attachments:
        data["attachments"] = copy.deepcopy(m.attachments)
    if m.files:
        data["files"] = [file_json(emu, emu.uploads[f]) for f in m.files if f in emu.uploads]
        data["upload"] = True
        data["display_as_bot"] = False
    if m.thread_ts:
        data["thread_ts"] = m.thread_ts
        if m.is_reply:
            parent = emu.channels[m.channel].messages.get(m.thread_ts)
            data["parent_user_id"] = parent.user if parent else None
    data.update(_thread_summary(emu, m, index))
    if m.edited:
        data["edited"] = {"user": m.user, "ts": m.edited_ts}
    if m.reactions:
        data["reactions"] = [
            {"name": name, "users": list(users), "count": len(users)} for name, users in m.reactions.items() if users
        ]
    if m.pinned:
        data["pinned_to"] = [m.channel]
    if m.metadata is not None and include_metadata:
        data["metadata"] = copy.deepcopy(m.metadata)
    return data


def _thread_summary(emu: SlackEmulator, m: Message, index: dict[str, list[Message]] | None) -> dict[str, Any]:
    if index is None:
        # Replies are stored after their parent: look back from the newest message only as far as the
        # parent (a message just posted has none), not through the whole channel on every post.
        found: list[Message] = []
        for other in reversed(emu.channels[m.channel].messages.values()):
            if other.ts == m.ts:
                break
            if other.thread_ts == m.ts:
                found.append(other)
        replies = found[::-1]
    else:
        replies = index.get(m.ts, [])
    if not replies:
        return {}
    users = list(dict.fromkeys(r.user for r in replies if r.user))
    return {
        "thread_ts": m.ts,
        "reply_count": len(replies),
        "reply_users_count": len(users),
        "latest_reply": replies[-1].ts,
        "reply_users": users[:5],
        "is_locked": False,
        "subscribed": False,
    }


def file_json(emu: SlackEmulator, f: File) -> dict[str, Any]:
    """A file object as files.info / completeUploadExternal return it."""
    mimetype = mimetypes.guess_type(f.name)[0] or "application/octet-stream"
    ext = f.name.rsplit(".", 1)[-1].lower() if "." in f.name else "binary"
    base = f"https://files.slack.com/files-pri/{emu.team_id}-{f.id}"
    public = [c for c in f.channels if c in emu.channels and emu.channels[c].is_public]
    return {
        "id": f.id,
        "created": f.created,
        "timestamp": f.created,
        "name": f.name,
        "title": f.title or f.name,
        "mimetype": mimetype,
        "filetype": ext,
        "pretty_type": ext.upper(),
        "user": f.user,
        "user_team": emu.team_id,
        "editable": False,
        "size": f.size,
        "mode": "hosted",
        "is_external": False,
        "external_type": "",
        "is_public": bool(public),
        "public_url_shared": False,
        "display_as_bot": False,
        "username": "",
        "url_private": f"{base}/{f.name}",
        "url_private_download": f"{base}/download/{f.name}",
        "permalink": f"https://{emu.team_domain}.slack.com/files/{f.user}/{f.id}/{f.name}",
        "channels": public,
        "groups": [c for c in f.channels if c in emu.channels and emu.channels[c].is_private],
        "ims": [c for c in f.channels if c in emu.channels and emu.channels[c].is_im],
        "comments_count": 0,
        "alt_txt": f.alt_txt,
        "has_rich_preview": False,
    }


def bookmark_json(emu: SlackEmulator, b: Bookmark) -> dict[str, Any]:
    """A bookmark object."""
    return {
        "id": b.id,
        "channel_id": b.channel_id,
        "title": b.title,
        "link": b.link,
        "emoji": b.emoji,
        "icon_url": None,
        "type": b.type,
        "entity_id": None,
        "date_created": b.created,
        "date_updated": b.updated,
        "rank": "U",
        "last_updated_by_user_id": b.created_by,
        "last_updated_by_team_id": emu.team_id,
        "shortcut_id": None,
        "app_id": emu.app_id,
    }


def view_json(emu: SlackEmulator, v: View) -> dict[str, Any]:
    """A view object as views.* return it and interaction payloads carry it."""
    data = copy.deepcopy(v.view)
    data.update(
        {
            "id": v.id,
            "team_id": emu.team_id,
            "type": v.type,
            "private_metadata": v.private_metadata or "",
            "callback_id": v.callback_id or "",
            "state": {"values": copy.deepcopy(v.state)},
            "hash": v.hash,
            "clear_on_close": bool(v.view.get("clear_on_close", False)),
            "notify_on_close": bool(v.view.get("notify_on_close", False)),
            "root_view_id": v.root_view_id or v.id,
            "previous_view_id": v.previous_view_id,
            "app_id": emu.app_id,
            "external_id": v.external_id or "",
            "app_installed_team_id": emu.team_id,
            "bot_id": emu.bot_id,
        }
    )
    data.setdefault("close", None)
    data.setdefault("submit", None)
    return data


def permalink(emu: SlackEmulator, channel: str, ts: str, thread_ts: str | None = None) -> str:
    """A message permalink like Slack's ``https://<domain>.slack.com/archives/C…/p…``."""
    link = f"https://{emu.team_domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
    if thread_ts and thread_ts != ts:
        link += f"?thread_ts={thread_ts}&cid={channel}"
    return link
