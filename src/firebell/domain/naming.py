"""War-room channel names: `<prefix>-<number>-<slug>`, lowercase, at most 80 characters."""

import re

from slugify import slugify

MAX_CHANNEL_NAME = 80
_VALID = re.compile(r"^[a-z0-9_-]{1,80}$")


# The incidents.number column is a 32-bit INTEGER on every database Firebell supports.
MAX_INCIDENT_NUMBER = 2**31 - 1


def incident_label(number: int) -> str:
    """The short label people say out loud: `INC-42`."""
    return f"INC-{number}"


def war_room_name(prefix: str, number: int, title: str, *, attempt: int = 0) -> str:
    """The channel name for an incident; `attempt` > 0 gives another valid name after a collision."""
    head = f"{prefix}-{number}"
    suffix = f"-{attempt + 1}" if attempt else ""
    room = MAX_CHANNEL_NAME - len(head) - len(suffix) - 1
    slug = slugify(title, max_length=max(room, 0), word_boundary=True, lowercase=True) if room > 0 else ""
    name = f"{head}-{slug}{suffix}" if slug else f"{head}{suffix}"
    return name[:MAX_CHANNEL_NAME]


def is_valid_channel_name(name: str) -> bool:
    """Slack's rule: lowercase letters, digits, hyphens and underscores, 1-80 characters."""
    return bool(_VALID.match(name))


def war_room_url(channel_id: str, workspace_url: str | None = None) -> str:
    """A link that opens the war room: in the workspace when its URL is known (auth.test's `url`), else
    Slack's redirect, which opens the channel in whichever workspace the reader is signed in to."""
    base = (workspace_url or "").strip().rstrip("/")
    if base.startswith("https://"):
        return f"{base}/archives/{channel_id}"
    return f"https://slack.com/app_redirect?channel={channel_id}"
