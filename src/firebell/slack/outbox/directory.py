"""What Firebell learns about its workspace: its own bot identity and channel ids by name."""

import logging
import re
import threading
import time
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{6,}$")
_HANDLE = re.compile(r"^@([\w.-]+)$")
USERGROUPS_TTL = 600.0  # seconds a usergroups.list answer is trusted


class ChannelNotFound(Exception):
    """A channel named in the policy does not exist (or the bot cannot see it)."""


def slack_error_code(exc: BaseException) -> str:
    """Slack's error code for a failed Web API call ("invalid_auth"), or the kind of network failure."""
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
    return f"unreachable ({type(exc).__name__})"


class SlackDirectory:
    """Caches auth.test and channel-name lookups; safe to share between threads."""

    def __init__(self, client: WebClient) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._identity: dict[str, Any] | None = None
        self._channels: dict[str, str] = {}
        self._dms: dict[str, str] = {}  # user id -> the bot's DM channel with them (it never changes)
        self._usergroups: dict[str, str] = {}
        self._usergroups_at: float | None = None

    def identity(self) -> dict[str, Any] | None:
        """auth.test's answer (user_id, bot_id, team_id), or None while Slack cannot be reached."""
        with self._lock:
            if self._identity is not None:
                return self._identity
        try:
            response = self._client.auth_test()
        except (SlackApiError, OSError) as exc:
            hint = " (check SLACK_BOT_TOKEN)" if isinstance(exc, SlackApiError) else ""
            log.warning("auth.test failed: %s%s; will retry on next use", slack_error_code(exc), hint)
            return None
        with self._lock:
            self._identity = dict(response.data) if isinstance(response.data, dict) else None
            return self._identity

    @property
    def cached_bot_user_id(self) -> str | None:
        """The bot's user id if already known; never calls Slack (safe on the ack path)."""
        with self._lock:
            return str(self._identity["user_id"]) if self._identity and self._identity.get("user_id") else None

    @property
    def bot_user_id(self) -> str | None:
        """The bot's own user id."""
        identity = self.identity()
        return str(identity["user_id"]) if identity and identity.get("user_id") else None

    @property
    def bot_id(self) -> str | None:
        """The bot's bot id (B...)."""
        identity = self.identity()
        return str(identity["bot_id"]) if identity and identity.get("bot_id") else None

    def user_name(self, user_id: str) -> str | None:
        """A person's display name from users.info (None when Slack cannot say)."""
        try:
            response = self._client.users_info(user=user_id)
        except (SlackApiError, OSError) as exc:
            log.info("users.info %s failed: %s", user_id, type(exc).__name__)
            return None
        user = response.get("user") or {}
        profile = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user.get("name")
        return str(name) if name else None

    def user_time_zone(self, user_id: str) -> str | None:
        """A person's time zone name from users.info (`tz`; None: Slack has none or no such user); raises
        SlackApiError or OSError when Slack cannot answer now."""
        try:
            response = self._client.users_info(user=user_id)
        except SlackApiError as exc:
            if slack_error_code(exc) in ("user_not_found", "users_not_found"):
                return None
            raise
        user = response.get("user") or {}
        return str(user["tz"]) if user.get("tz") else None

    def user_id_by_email(self, email: str) -> str | None:
        """The user id Slack has for an e-mail address (None: no such user); raises SlackApiError or OSError
        when Slack cannot answer now."""
        try:
            response = self._client.users_lookupByEmail(email=email)
        except SlackApiError as exc:
            if slack_error_code(exc) == "users_not_found":
                return None
            raise
        user = response.get("user") or {}
        return str(user["id"]) if user.get("id") else None

    def channel_id(self, name_or_id: str) -> str:
        """Resolve `incidents`, `#incidents` or `C0123` to a channel id; raise ChannelNotFound."""
        wanted = name_or_id.lstrip("#")
        if _CHANNEL_ID.match(wanted):
            return wanted
        with self._lock:
            if wanted in self._channels:
                return self._channels[wanted]
        found = self.find_channel(wanted)
        if found is None:
            raise ChannelNotFound(f"no channel named #{wanted} is visible to the bot")
        with self._lock:
            self._channels[wanted] = str(found["id"])
        return str(found["id"])

    def dm_channel(self, user_id: str) -> str:
        """The bot's DM channel with a person, opened once (conversations.open is Tier 3: 50 a minute,
        and an escalation wave DMs every commander at once)."""
        with self._lock:
            if user_id in self._dms:
                return self._dms[user_id]
        channel = str(self._client.conversations_open(users=user_id)["channel"]["id"])
        with self._lock:
            self._dms[user_id] = channel
        return channel

    def known_dm_channel(self, user_id: str) -> str | None:
        """The DM channel with a person if it was opened already (never calls Slack)."""
        with self._lock:
            return self._dms.get(user_id)

    def known_channel_id(self, name_or_id: str) -> str | None:
        """The channel's id if it was looked up already (never calls Slack)."""
        wanted = name_or_id.lstrip("#")
        if _CHANNEL_ID.match(wanted):
            return wanted
        with self._lock:
            return self._channels.get(wanted)

    def forget(self, name_or_id: str) -> None:
        """Drop a cached channel id (the channel was renamed or deleted)."""
        with self._lock:
            self._channels.pop(name_or_id.lstrip("#"), None)

    def find_channel(self, name: str) -> dict[str, Any] | None:
        """Find a channel object by exact name, walking conversations.list pages."""
        cursor: str | None = None
        for _ in range(50):  # 50 pages of 200: 10,000 channels
            response = self._client.conversations_list(
                types="public_channel,private_channel", exclude_archived=True, limit=200, cursor=cursor
            )
            channels: list[dict[str, Any]] = response.get("channels") or []
            for channel in channels:
                if channel.get("name") == name:
                    return dict(channel)
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None
        return None

    def owner_mention(self, owner: str | None) -> str | None:
        """A runbook owner as mrkdwn: a team handle such as `@platform-oncall` becomes a live user-group
        mention when Slack knows the handle (usergroups.list, needs usergroups:read); else unchanged."""
        handle = _HANDLE.match(owner or "")
        if handle is None:
            return owner
        group_id = self._usergroup_ids().get(handle.group(1).lower())
        return f"<!subteam^{group_id}>" if group_id else owner

    def _usergroup_ids(self) -> dict[str, str]:
        """Handle -> user group id, refreshed every USERGROUPS_TTL seconds; empty when Slack cannot say."""
        with self._lock:
            if self._usergroups_at is not None and time.monotonic() - self._usergroups_at < USERGROUPS_TTL:
                return self._usergroups
        groups: dict[str, str] = {}
        try:
            response = self._client.usergroups_list()
            for group in response.get("usergroups") or []:
                if group.get("handle") and group.get("id") and not group.get("date_delete"):
                    groups[str(group["handle"]).lower()] = str(group["id"])
        except (SlackApiError, OSError) as exc:
            error = exc.response.get("error") if isinstance(exc, SlackApiError) and exc.response else None
            log.warning("usergroups.list failed (%s); team handles are shown as text", error or type(exc).__name__)
        with self._lock:
            self._usergroups, self._usergroups_at = groups, time.monotonic()
        return groups
