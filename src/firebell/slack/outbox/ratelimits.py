"""Slack's rate limits are per method: when Slack answers 429 for one, hold back only that method.

Each kind of effect is named by the Web API method it calls first, so a claim can leave out the kinds
whose method is held (a throttled `conversations.create` must not stop reminders, which post messages)
instead of claiming them only to be refused again. `chat.postMessage` is limited per channel (about one
a second), not per method: it is held for the refused channel only, so a burst of announcements in one
channel waits without a reminder in another channel waiting with it. After a refusal, posts to that
channel are paced at one a second for a while, each given its own slot, instead of all retrying at once
when the hold ends (and all but one being refused again).
"""

import threading
import time
from collections.abc import Callable

from firebell.services.effects import EffectKind, Target
from firebell.services.outbox.outcomes import Job
from firebell.slack.outbox.directory import SlackDirectory

# The Slack method each kind of effect calls first (the one a burst of them runs into).
FIRST_METHOD: dict[EffectKind, str] = {
    EffectKind.CREATE_CHANNEL: "conversations.create",
    EffectKind.INVITE: "conversations.invite",
    EffectKind.SYNC_TOPIC: "conversations.setTopic",
    EffectKind.POST_KICKOFF: "chat.postMessage",
    EffectKind.PIN_KICKOFF: "pins.add",
    EffectKind.SYNC_KICKOFF: "chat.update",
    EffectKind.ADD_BOOKMARK: "bookmarks.add",
    EffectKind.POST_ANNOUNCEMENT: "chat.postMessage",
    EffectKind.SYNC_ANNOUNCEMENT: "chat.update",
    EffectKind.POST_NOTICE: "chat.postMessage",
    EffectKind.EPHEMERAL: "chat.postEphemeral",
    EffectKind.CAPTURE_PIN: "conversations.history",
    EffectKind.POST_REMINDER: "chat.postMessage",
    EffectKind.POST_PUBLIC_REMINDER: "chat.postMessage",
    EffectKind.POST_POSTMORTEM: "files.getUploadURLExternal",
    EffectKind.POST_RUNBOOK: "chat.postMessage",
    EffectKind.SYNC_RUNBOOK: "chat.update",
    EffectKind.DM: "conversations.open",
    EffectKind.SYNC_TRIAGE: "chat.update",  # chat.postMessage only the first time
    EffectKind.POST_ALERT_NOTE: "chat.postMessage",
    EffectKind.PAGE_DM: "conversations.open",  # chat.postMessage once the DM channel is known
    EffectKind.SETTLE_PAGE_DM: "chat.update",
    EffectKind.POST_MAINTENANCE: "chat.postMessage",  # in the announcement channel
}
_METHOD_OF = {kind.value: method for kind, method in FIRST_METHOD.items()}
_REMINDERS = (EffectKind.POST_REMINDER, EffectKind.POST_PUBLIC_REMINDER)


def first_method(job: Job) -> str:
    """The Slack method this effect calls first ("" for none: an answer through a response_url)."""
    if job.kind in _REMINDERS and job.payload.get("target") == "dm":
        return "conversations.open"  # the commander's DM is opened before the reminder is posted in it
    if job.kind == EffectKind.DM and not job.payload.get("user"):
        return "chat.postMessage"  # a team's runbook review goes to the announcement channel
    return _METHOD_OF.get(job.kind, "")


PER_CHANNEL = frozenset({"chat.postMessage"})
PACE_SECONDS = 1.0  # Slack: about one message a second per channel
PACE_FOR = 60.0  # how long after a refusal a channel stays paced


def first_call(job: Job, directory: SlackDirectory, announcement_channel: str | None) -> tuple[str, str | None]:
    """The Slack method an effect calls first and the channel it is about, as far as is known without
    calling Slack (so that a method or channel Slack throttles can be waited out)."""
    incident = job.incident
    target = job.payload.get("target")
    if job.kind in (EffectKind.POST_ANNOUNCEMENT, EffectKind.POST_MAINTENANCE) or (
        job.kind == EffectKind.DM and not job.payload.get("user")
    ):
        return "chat.postMessage", directory.known_channel_id(announcement_channel) if announcement_channel else None
    if job.kind in _REMINDERS and target == "dm" and incident is not None:
        # Nobody in command yet (alert-born): the delivery makes no call; look up no DM channel.
        dm = directory.known_dm_channel(incident.commander) if incident.commander else incident.channel_id
        return ("chat.postMessage", dm) if dm else ("conversations.open", None)
    if job.kind in (EffectKind.DM, EffectKind.PAGE_DM):
        dm = directory.known_dm_channel(str(job.payload.get("user")))
        return ("chat.postMessage", dm) if dm else ("conversations.open", None)
    if incident is None:
        return first_method(job), None
    if target in (Target.ANNOUNCEMENT_THREAD, "announcement"):
        return first_method(job), incident.announcement_channel_id
    return first_method(job), incident.channel_id


class MethodHolds:
    """Which Slack methods are held back, and until when (monotonic seconds)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._until: dict[str, float] = {}
        self._paced: dict[str, float] = {}  # per-channel keys refused lately -> until when they are paced
        self._lock = threading.Lock()

    def hold(self, method: str, seconds: float, *, channel: str | None = None) -> None:
        """Slack said wait `seconds` before calling `method` (in `channel`, for per-channel methods) again;
        a later, shorter Retry-After never shortens a hold."""
        key = _key(method, channel)
        if key is None:
            return
        with self._lock:
            now = self._clock()
            self._until[key] = max(self._until.get(key, 0.0), now + seconds)
            if method in PER_CHANNEL:
                self._paced[key] = now + seconds + PACE_FOR

    def take(self, method: str, *, channel: str | None = None) -> float:
        """Seconds an effect calling `method` (about `channel`) must wait; 0: call now. In a paced
        channel this takes the next free slot, so each waiting post gets a slot of its own."""
        key = _key(method, channel)
        if key is None:
            return 0.0
        with self._lock:
            now = self._clock()
            start = max(now, self._until.get(key, 0.0))
            if self._paced.get(key, 0.0) > now:
                self._until[key] = start + PACE_SECONDS
            return start - now

    def held_kinds(self) -> frozenset[str]:
        """The kinds of effect whose first method is held now (a claim leaves them out)."""
        now = self._clock()
        with self._lock:
            for key in [k for k, until in self._until.items() if until <= now]:
                del self._until[key]
            for key in [k for k, until in self._paced.items() if until <= now]:
                del self._paced[key]
            held = set(self._until)
        # Reminders start with chat.postMessage or, to a commander, conversations.open: they are never
        # left out of a claim as a kind, only deferred one by one (Gateway) when their method is held.
        return frozenset(
            kind.value
            for kind, method in FIRST_METHOD.items()
            if method in held and kind not in (*_REMINDERS, EffectKind.DM, EffectKind.PAGE_DM)
        )


def _key(method: str, channel: str | None) -> str | None:
    """What a hold is kept under: the method, or the method in one channel (None: nothing to hold)."""
    if not method:
        return None
    if method in PER_CHANNEL:
        return f"{method} {channel}" if channel else None
    return method
