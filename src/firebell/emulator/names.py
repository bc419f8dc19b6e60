"""Channel-name rules (NOTES §2.8): lowercase letters, digits, hyphens, underscores; at most 80 chars."""

from __future__ import annotations

MAX_CHANNEL_NAME = 80


def channel_name_error(name: str) -> str | None:
    """The conversations.create error code for an invalid name, or None if the name is valid."""
    if name == "":
        return "invalid_name_required"
    if len(name) > MAX_CHANNEL_NAME:
        return "invalid_name_maxlength"
    for ch in name:
        if ch in "-_" or ch.isdigit():
            continue
        if ch.isalpha() and not ch.isupper() and ch == ch.lower():
            continue
        return "invalid_name_specials"
    if all(ch in "-_" for ch in name):
        return "invalid_name_punctuation"
    return None
