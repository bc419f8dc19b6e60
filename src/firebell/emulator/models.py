"""Dataclasses for everything the emulated workspace holds and records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class User:
    """A workspace member (human or the app's bot user)."""

    id: str
    name: str
    real_name: str
    email: str
    is_bot: bool = False
    is_admin: bool = False
    deleted: bool = False
    tz: str = "Europe/London"
    bot_id: str | None = None
    updated: int = 0


@dataclass
class UserGroup:
    """A user group (a team handle such as @platform-oncall, mentioned as ``<!subteam^S…>``)."""

    id: str
    handle: str
    name: str
    members: list[str]
    description: str = ""
    deleted: bool = False


@dataclass
class TopicValue:
    """A channel topic or purpose."""

    value: str = ""
    creator: str = ""
    last_set: int = 0


@dataclass
class Bookmark:
    """A channel bookmark (only ``type=link`` is supported, like Slack's bot API)."""

    id: str
    channel_id: str
    title: str
    link: str
    type: str
    emoji: str | None
    created: int
    updated: int
    created_by: str


@dataclass
class Message:
    """A message as Slack stores it. ``edited`` counts chat.update edits."""

    ts: str
    channel: str
    user: str | None
    text: str
    bot_id: str | None = None
    app_id: str | None = None
    blocks: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    metadata: dict[str, Any] | None = None
    reactions: dict[str, list[str]] = field(default_factory=dict)
    pinned: bool = False
    pinned_by: str | None = None
    pinned_at: int | None = None
    edited: int = 0
    edited_ts: str | None = None
    subtype: str | None = None
    reply_broadcast: bool = False
    files: list[str] = field(default_factory=list)

    @property
    def is_reply(self) -> bool:
        """True for a thread reply (thread_ts set and different from ts)."""
        return self.thread_ts is not None and self.thread_ts != self.ts

    @property
    def is_system(self) -> bool:
        """True for Slack-generated messages (channel_join, channel_topic, ...)."""
        return self.subtype in SYSTEM_SUBTYPES


SYSTEM_SUBTYPES = frozenset(
    {
        "channel_join",
        "channel_leave",
        "channel_topic",
        "channel_purpose",
        "channel_archive",
        "channel_unarchive",
    }
)


@dataclass
class Channel:
    """A conversation: public/private channel, IM (``D…``) or MPIM."""

    id: str
    name: str
    created: int
    creator: str
    is_private: bool = False
    is_im: bool = False
    is_mpim: bool = False
    is_general: bool = False
    is_archived: bool = False
    members: list[str] = field(default_factory=list)
    topic: TopicValue = field(default_factory=TopicValue)
    purpose: TopicValue = field(default_factory=TopicValue)
    im_user: str | None = None
    previous_names: list[str] = field(default_factory=list)
    bookmarks: list[Bookmark] = field(default_factory=list)
    messages: dict[str, Message] = field(default_factory=dict)
    updated: int = 0

    @property
    def is_public(self) -> bool:
        """A public channel (not private, not a DM)."""
        return not (self.is_private or self.is_im or self.is_mpim)

    def has_member(self, user_id: str) -> bool:
        """Whether a user is in the conversation."""
        return user_id in self.members

    @property
    def type_name(self) -> str:
        """public_channel, private_channel, im or mpim (the ``types`` filter vocabulary)."""
        if self.is_im:
            return "im"
        if self.is_mpim:
            return "mpim"
        return "private_channel" if self.is_private else "public_channel"


@dataclass
class Ephemeral:
    """An ephemeral message shown to one user (chat.postEphemeral, response_url or command ack)."""

    channel: str
    user: str
    text: str
    blocks: list[dict[str, Any]]
    via: str
    ts: str
    thread_ts: str | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    replaced: int = 0
    deleted: bool = False


@dataclass
class ResponsePost:
    """One POST to a response_url, accepted or not (``status`` is the HTTP status answered)."""

    url_id: str
    status: int
    body: dict[str, Any]
    at: float
    channel: str | None
    user: str | None
    source: str
    error: str | None = None

    @property
    def response_type(self) -> str:
        """``ephemeral`` (Slack's default) or ``in_channel``."""
        value = self.body.get("response_type")
        return value if isinstance(value, str) else "ephemeral"

    @property
    def text(self) -> str | None:
        """The posted text, if any."""
        value = self.body.get("text")
        return value if isinstance(value, str) else None

    @property
    def blocks(self) -> list[dict[str, Any]]:
        """The posted blocks (empty when none)."""
        value = self.body.get("blocks")
        return value if isinstance(value, list) else []

    @property
    def replace_original(self) -> bool:
        """Whether the post asked to replace the source message."""
        return _truthy(self.body.get("replace_original"))

    @property
    def delete_original(self) -> bool:
        """Whether the post asked to delete the source message."""
        return _truthy(self.body.get("delete_original"))

    @property
    def thread_ts(self) -> str | None:
        """The thread the post targeted, if any."""
        value = self.body.get("thread_ts")
        return value if isinstance(value, str) else None


def _truthy(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in {"true", "1"})


@dataclass
class View:
    """A modal or Home tab the app opened, updated, pushed or published."""

    id: str
    view: dict[str, Any]
    user: str
    type: str
    hash: str
    callback_id: str | None = None
    private_metadata: str | None = None
    external_id: str | None = None
    root_view_id: str | None = None
    previous_view_id: str | None = None
    closed: bool = False
    updates: int = 0
    state: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class File:
    """A file uploaded through files.getUploadURLExternal + upload + files.completeUploadExternal."""

    id: str
    name: str
    declared_length: int
    user: str
    created: int
    title: str | None = None
    content: bytes | None = None
    completed: bool = False
    channels: list[str] = field(default_factory=list)
    initial_comment: str | None = None
    thread_ts: str | None = None
    message_ts: str | None = None
    alt_txt: str | None = None
    snippet_type: str | None = None

    @property
    def size(self) -> int:
        """Bytes received by the upload POST."""
        return len(self.content or b"")


@dataclass
class Call:
    """One Web API call as the emulator saw it. ``status`` 0 means no HTTP response was delivered."""

    method: str
    args: dict[str, Any]
    status: int
    response: dict[str, Any]
    at: float
    http_method: str = "POST"
    fault: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the call succeeded from the client's point of view."""
        return self.status == 200 and self.response.get("ok") is True

    @property
    def error(self) -> str | None:
        """The Slack error code, if the call failed with one."""
        value = self.response.get("error")
        return value if isinstance(value, str) else None


@dataclass
class Trigger:
    """A trigger_id handed to the app with an interaction (valid 3 s, single use)."""

    id: str
    user: str
    issued_at: float
    source: str
    channel: str | None = None
    view_id: str | None = None
    used_at: float | None = None


@dataclass
class ResponseUrl:
    """A response_url handed to the app (5 uses within 30 minutes)."""

    id: str
    url: str
    user: str
    channel: str | None
    issued_at: float
    source: str
    message_ts: str | None = None
    ephemeral_ts: str | None = None
    uses: int = 0
