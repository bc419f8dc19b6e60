"""What a person may write into Firebell: text Slack can carry in one message and a database can store."""

from firebell.domain.errors import UsageError

# One Block Kit section holds 3,000 characters, and Slack's update form takes at most that many; past
# about 12,000 in one message Slack refuses it (msg_blocks_too_long), after Firebell had said "posted".
MAX_MESSAGE_TEXT = 3000
NUL = "\x00"
# Slack stores &, < and > as &amp;, &lt; and &gt;, and counts them so against its limits.
_STORED_AS = {"&": 5, "<": 4, ">": 4}


def refuse_nul(text: str, what: str) -> None:
    """Raise a UsageError naming `what` when `text` holds a NUL character (PostgreSQL cannot store one)."""
    if NUL in text:
        raise UsageError(f"The {what} contains a NUL character (\\0), which Firebell cannot store; remove it.")


def check_free_text(text: str, what: str, *, limit: int = MAX_MESSAGE_TEXT) -> str:
    """`text` when it fits in one Slack message and can be stored; a UsageError saying the limit otherwise."""
    refuse_nul(text, what)
    length = stored_length(text)
    if length > limit:
        counted = " as Slack counts them (&, < and > count as 5, 4 and 4)" if length != len(text) else ""
        raise UsageError(
            f"The {what} is {length:,} characters{counted}; Slack carries at most {limit:,} in one message. "
            "Shorten it, or post it in parts."
        )
    return text


def stored_length(text: str) -> int:
    """How many characters `text` takes in a Slack message, with &, < and > escaped as Slack stores them."""
    return len(text) + sum(_STORED_AS[c] - 1 for c in text if c in _STORED_AS)
