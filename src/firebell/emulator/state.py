"""SlackEmulator: the workspace state (users, channels, messages, views, files) and what was recorded."""

from __future__ import annotations

import secrets
import string
import threading
from collections.abc import Iterable

from .faults import FaultPlan
from .ids import Clock, IdFactory, token_hex
from .models import (
    Channel,
    File,
    Message,
    ResponseUrl,
    TopicValue,
    Trigger,
    User,
    UserGroup,
)
from .names import channel_name_error
from .oidc import OpenIdProvider
from .ratelimit import RateLimiter
from .records import Records
from .socket_mode import SocketModeHub

SEED_USERS = ("alice", "bob", "carol", "dave", "erin")
_BLOCK_ID_CHARS = string.ascii_letters + string.digits


class SlackEmulator(Records):
    """A stateful fake Slack workspace. All state is guarded by ``self.lock`` (an RLock)."""

    def __init__(
        self,
        bot_token: str = "xoxb-test-token",  # noqa: S107 - a fake's well-known test credential
        signing_secret: str = "test-secret",  # noqa: S107 - a fake's well-known test credential
        team_id: str = "T0FIREBELL",
        *,
        team_name: str = "Firebell",
        team_domain: str = "firebell",
        app_id: str = "A0FIREBELL",
        bot_name: str = "firebell",
        verification_token: str = "emulator-verification-token",  # noqa: S107 - fake credential
        app_token: str = "xapp-test-token",  # noqa: S107 - a fake's well-known test credential
        seed: bool = True,
        rate_tiers: bool = False,
    ) -> None:
        self.lock = threading.RLock()
        self.clock = Clock()
        self.ids = IdFactory()
        self.bot_token = bot_token
        self.signing_secret = signing_secret
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_domain
        self.app_id = app_id
        self.verification_token = verification_token
        self.app_token = app_token
        # knobs
        self.faults = FaultPlan()
        self.outage = False
        self.latency = 0.0
        # Slack's documented per-method tiers (T1 1/min ... T4 100/min; chat.postMessage about 1/s per
        # channel), answered with 429 and Retry-After like Slack: off unless asked for.
        self.enforce_rate_limits = rate_tiers
        self.rate_limiter = RateLimiter(self.now)
        self.msg_blocks_limit = 12000
        self.strict_action_ids = False  # True: action_ids unique per message/view, not just per block
        self.scopes: set[str] | None = None
        self.trigger_ttl = 3.0
        self.ack_deadline = 3.0
        self.response_url_max_uses = 5
        self.response_url_ttl = 30 * 60.0
        self.base_url = "http://slack-emulator.invalid"
        # workspace
        self.users: dict[str, User] = {}
        self.usergroups: dict[str, UserGroup] = {}
        self.channels: dict[str, Channel] = {}
        self._dms: dict[str, str] = {}  # user id -> the bot's IM with them (channels are never removed)
        Records.__init__(self)
        self.modal_stacks: dict[str, list[str]] = {}
        self.home_views: dict[str, str] = {}
        self.uploads: dict[str, File] = {}
        self.triggers: dict[str, Trigger] = {}
        self.response_urls: dict[str, ResponseUrl] = {}
        self.socket_mode = SocketModeHub(self)
        self.oidc = OpenIdProvider(self)  # Sign in with Slack: the app's client id and secret, codes, user tokens
        self.bot_id = self.ids.readable("B", bot_name)
        self.bot_user_id = self.ids.readable("U", bot_name)
        self.users[self.bot_user_id] = User(
            id=self.bot_user_id,
            name=bot_name,
            real_name=bot_name.capitalize(),
            email="",
            is_bot=True,
            bot_id=self.bot_id,
            updated=int(self.now()),
        )
        if seed:
            self._seed()

    def _seed(self) -> None:
        humans = [self.add_user(name) for name in SEED_USERS]
        self.add_channel("general", [*humans, self.bot_user_id], creator=humans[0], is_general=True)
        self.add_channel("incidents", humans, creator=humans[0])
        self.add_channel("random", humans, creator=humans[0])

    # ----------------------------------------------------------------- time
    def now(self) -> float:
        """Emulator time (epoch seconds; wall clock plus any ``advance``)."""
        return self.clock.now()

    def advance(self, seconds: float) -> None:
        """Move the emulator clock forward (expires trigger_ids and response_urls without sleeping)."""
        self.clock.advance(seconds)

    def next_ts(self) -> str:
        """A fresh, unique, increasing message ts."""
        return self.clock.next_ts()

    def new_block_id(self) -> str:
        """A Slack-style generated block_id / action_id (5 random characters)."""
        return "".join(secrets.choice(_BLOCK_ID_CHARS) for _ in range(5))

    # ----------------------------------------------------------------- users
    def add_usergroup(self, handle: str, *, name: str | None = None, members: tuple[str, ...] = ()) -> str:
        """Add a user group with a handle (no leading @) and members by name or id; returns its id (``S…``)."""
        with self.lock:
            handle = handle.lstrip("@")
            if any(g.handle == handle for g in self.usergroups.values()):
                raise ValueError(f"user group @{handle} already exists")
            group_id = self.ids.readable("S", handle)
            member_ids = [self.user(m).id for m in members]
            self.usergroups[group_id] = UserGroup(
                id=group_id, handle=handle, name=name or handle.replace("-", " ").title(), members=member_ids
            )
            return group_id

    def add_user(
        self,
        name: str,
        *,
        real_name: str | None = None,
        email: str | None = None,
        is_admin: bool = False,
        tz: str = "Europe/London",
    ) -> str:
        """Add a human user; returns the new id (``U0NAME…``)."""
        with self.lock:
            if self.find_user(name) is not None:
                raise ValueError(f"user {name!r} already exists")
            user_id = self.ids.readable("U", name)
            self.users[user_id] = User(
                id=user_id,
                name=name,
                real_name=real_name or name.capitalize(),
                email=email or f"{name}@{self.team_domain}.test",
                is_admin=is_admin,
                tz=tz,
                updated=int(self.now()),
            )
            return user_id

    def find_user(self, ref: str) -> User | None:
        """A user by id, name or ``@name``; None if unknown."""
        with self.lock:
            if ref in self.users:
                return self.users[ref]
            name = ref.removeprefix("@")
            return next((u for u in self.users.values() if u.name == name), None)

    def user(self, ref: str) -> User:
        """A user by id or name (KeyError if unknown)."""
        found = self.find_user(ref)
        if found is None:
            raise KeyError(f"no such user: {ref!r} (known: {sorted(u.name for u in self.users.values())})")
        return found

    def user_id(self, ref: str) -> str:
        """The id of a user given by name (or id)."""
        return self.user(ref).id

    @property
    def human_ids(self) -> list[str]:
        """Ids of every human (non-bot) user."""
        with self.lock:
            return [u.id for u in self.users.values() if not u.is_bot]

    # -------------------------------------------------------------- channels
    def add_channel(
        self,
        name: str,
        members: Iterable[str] = (),
        *,
        is_private: bool = False,
        creator: str | None = None,
        is_general: bool = False,
        topic: str = "",
        purpose: str = "",
    ) -> Channel:
        """Create a channel directly in state (members by name or id; the bot only if listed)."""
        error = channel_name_error(name)
        if error:
            raise ValueError(f"invalid channel name {name!r}: {error}")
        with self.lock:
            if self.channel_by_name(name) is not None:
                raise ValueError(f"channel #{name} already exists")
            member_ids = [self.user_id(m) for m in members]
            creator_id = self.user_id(creator) if creator else (member_ids[0] if member_ids else self.bot_user_id)
            readable = self.ids.readable("C", name)
            now = int(self.now())
            channel = Channel(
                id=readable,
                name=name,
                created=now,
                creator=creator_id,
                is_private=is_private,
                is_general=is_general,
                members=list(dict.fromkeys(member_ids)),
                topic=TopicValue(topic, creator_id if topic else "", now if topic else 0),
                purpose=TopicValue(purpose, creator_id if purpose else "", now if purpose else 0),
                updated=now * 1000,
            )
            self.channels[channel.id] = channel
            return channel

    def channel_by_name(self, name: str) -> Channel | None:
        """A non-DM channel by name (``#`` optional), or None."""
        name = name.removeprefix("#")
        with self.lock:
            return next((c for c in self.channels.values() if c.name == name and not (c.is_im or c.is_mpim)), None)

    def channel(self, ref: str) -> Channel:
        """A conversation by id, or by name / ``#name`` (KeyError if none)."""
        with self.lock:
            if ref in self.channels:
                return self.channels[ref]
            found = self.channel_by_name(ref)
        if found is None:
            raise KeyError(f"no such channel: {ref!r}")
        return found

    def dm_channel(self, user: str) -> Channel | None:
        """The bot's IM with a user, if it has been opened."""
        user_id = self.user_id(user)
        with self.lock:
            channel_id = self._dms.get(user_id)
            return None if channel_id is None else self.channels[channel_id]

    def open_dm(self, user: str) -> Channel:
        """The bot's IM with a user, created if needed (what conversations.open does)."""
        user_id = self.user_id(user)
        with self.lock:
            existing = self.dm_channel(user_id)
            if existing is not None:
                return existing
            now = int(self.now())
            channel = Channel(
                id=self.ids.next("D"),
                name=user_id,
                created=now,
                creator=self.bot_user_id,
                is_im=True,
                members=[self.bot_user_id, user_id],
                im_user=user_id,
                updated=now * 1000,
            )
            self.channels[channel.id] = channel
            self._dms[user_id] = channel.id
            return channel

    def open_mpim(self, user_ids: list[str]) -> Channel:
        """The multi-person DM between the bot and these users, created if needed."""
        members = sorted({self.bot_user_id, *user_ids})
        with self.lock:
            for c in self.channels.values():
                if c.is_mpim and sorted(c.members) == members:
                    return c
            names = "--".join(self.users[m].name for m in members)
            now = int(self.now())
            channel = Channel(
                id=self.ids.next("G"),
                name=f"mpdm-{names}-1",
                created=now,
                creator=self.bot_user_id,
                is_mpim=True,
                is_private=True,
                members=members,
                updated=now * 1000,
            )
            self.channels[channel.id] = channel
            return channel

    # -------------------------------------------------------------- messages
    def store_message(self, message: Message) -> Message:
        """Add a message to its channel (callers hold the lock or accept a race-free single write)."""
        with self.lock:
            self.channels[message.channel].messages[message.ts] = message
        return message

    def post_as_user(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> Message:
        """A human message in a channel (state only; no event is delivered)."""
        with self.lock:
            user_id = self.user_id(user)
            ch = self.channel(channel) if not channel.startswith(("D", "U")) else self._dm_for(channel)
            self.ensure_member(user_id, ch)
            if ch.is_archived:
                raise ValueError(f"#{ch.name} is archived")
            if thread_ts is not None:
                parent = ch.messages.get(thread_ts)
                if parent is None:
                    raise KeyError(f"no message {thread_ts} in {ch.id}")
                thread_ts = parent.thread_ts or parent.ts
            return self.store_message(
                Message(ts=self.next_ts(), channel=ch.id, user=user_id, text=text, thread_ts=thread_ts)
            )

    def ensure_member(self, user_id: str, ch: Channel) -> None:
        """A human acting in a channel: joins a public one first (as Slack's UI makes them); else ValueError."""
        with self.lock:
            if ch.has_member(user_id):
                return
            if not ch.is_public or ch.is_archived:
                name = self.users[user_id].name
                raise ValueError(f"{name} is not a member of {ch.name or ch.id}; they could not do that in Slack")
            ch.members.append(user_id)
            name = self.users[user_id].name
            self.add_system_message(ch, "channel_join", user_id, f"<@{user_id}|{name}> has joined the channel")

    def _dm_for(self, ref: str) -> Channel:
        if ref in self.channels:
            return self.channels[ref]
        return self.open_dm(ref)

    def add_system_message(self, channel: Channel, subtype: str, user: str, text: str) -> None:
        """A Slack-generated message (channel_join, channel_topic, ...)."""
        self.store_message(Message(ts=self.next_ts(), channel=channel.id, user=user, text=text, subtype=subtype))

    def messages(self, channel: str, *, include_system: bool = False) -> list[Message]:
        """Top-level messages and thread replies of a channel, in ts order (system messages opt-in)."""
        with self.lock:
            ch = self.channel(channel)
            return [m for m in ch.messages.values() if include_system or not m.is_system]

    def message(self, channel: str, ts: str) -> Message:
        """One message by channel and ts (KeyError if absent)."""
        with self.lock:
            ch = self.channel(channel)
            if ts not in ch.messages:
                raise KeyError(f"no message {ts} in {ch.id}")
            return ch.messages[ts]

    def replies(self, channel: str, thread_ts: str) -> list[Message]:
        """Replies in a thread (without the parent), in ts order."""
        with self.lock:
            ch = self.channel(channel)
            return [m for m in ch.messages.values() if m.thread_ts == thread_ts and m.ts != thread_ts]

    def dms(self, user: str) -> list[Message]:
        """Messages in the bot's IM with a user ([] if never opened)."""
        dm = self.dm_channel(user)
        return [] if dm is None else self.messages(dm.id)

    def add_reaction(self, user: str, channel: str, ts: str, name: str) -> bool:
        """Add a reaction in state; False if the user had already reacted with it."""
        with self.lock:
            message = self.message(channel, ts)
            user_id = self.user_id(user)
            users = message.reactions.setdefault(name, [])
            if user_id in users:
                return False
            users.append(user_id)
            return True

    # -------------------------------------------------- interaction handles
    def issue_trigger(self, user: str, *, source: str, channel: str | None = None, view_id: str | None = None) -> str:
        """A new trigger_id for an interaction (valid ``trigger_ttl`` seconds, single use)."""
        with self.lock:
            trigger_id = f"{int(self.now())}{len(self.triggers) + 1:06d}.{self.team_id}.{token_hex(16)}"
            self.triggers[trigger_id] = Trigger(
                id=trigger_id,
                user=self.user_id(user),
                issued_at=self.now(),
                source=source,
                channel=channel,
                view_id=view_id,
            )
            return trigger_id

    def issue_response_url(
        self,
        user: str,
        channel: str | None,
        *,
        source: str,
        message_ts: str | None = None,
        ephemeral_ts: str | None = None,
    ) -> str:
        """A new response_url hosted by the emulator at ``<base_url>/response/<id>``."""
        with self.lock:
            url_id = f"{len(self.response_urls) + 1}-{token_hex(12)}"
            url = f"{self.base_url.rstrip('/')}/response/{url_id}"
            self.response_urls[url_id] = ResponseUrl(
                id=url_id,
                url=url,
                user=self.user_id(user),
                channel=channel,
                issued_at=self.now(),
                source=source,
                message_ts=message_ts,
                ephemeral_ts=ephemeral_ts,
            )
            return url
