"""User text crossing into and out of Slack: unwrap Slack's markup on the way in, escape on the way out."""

import re

# <@U123|alice>, <#C123|general>, <!channel>, <!subteam^S1|@oncall>, <https://x|label>
_TOKEN = re.compile(r"<([^<>]*)>")


def _unwrap(token: str) -> str:
    target, _, label = token.partition("|")
    if target.startswith("@"):
        return f"@{label}" if label else target
    if target.startswith("#"):
        return f"#{label}" if label else target
    if target.startswith("!"):
        if label:
            return label if label.startswith("@") else f"@{label}"
        word = target[1:].split("^", 1)[0]
        return f"@{word}"
    if label and label != target:
        return f"{label} ({target})"
    return target


def plain_from_slack(text: str) -> str:
    """Turn text Slack sent us (with its <...> markup and &amp; entities) into plain text people wrote."""
    unwrapped = _TOKEN.sub(lambda m: _unwrap(m.group(1)), text)
    return unwrapped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


_URL = re.compile(r"https?://[^\s<>]+")


def _link(match: re.Match[str]) -> str:
    url = match.group(0)
    trimmed = url.rstrip(".,;:!?)")  # sentence punctuation after an address is not part of it
    return f"<{trimmed}>{url[len(trimmed) :]}"


def escape_mrkdwn(text: str) -> str:
    """Escape plain text for Slack mrkdwn so it can never form a mention, link or broadcast.

    Web addresses become explicit links: Firebell's text objects are `verbatim`, so Slack auto-parses
    nothing in them (a plain "@channel" can never become a broadcast).
    """
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _URL.sub(_link, escaped)


def mrkdwn_chunks(text: str, limit: int) -> list[str]:
    """Escape text into pieces of at most `limit` characters, breaking between words (never inside an
    entity or a link) so a long update survives Slack's per-block limit whole."""
    chunks: list[str] = []
    current, size = "", 0
    for piece in re.split(r"(\s+)", text):
        escaped = escape_mrkdwn(piece)
        if size + len(escaped) <= limit:
            current, size = current + escaped, size + len(escaped)
            continue
        if current.strip():
            chunks.append(current.strip())
        current, size = "", 0
        if piece.isspace():
            continue
        word = piece
        while len(escaped) > limit:  # a single "word" longer than a chunk: cut it by characters
            cut = limit
            while len(escape_mrkdwn(word[:cut])) > limit:
                cut -= 1
            chunks.append(escape_mrkdwn(word[:cut]))
            word = word[cut:]
            escaped = escape_mrkdwn(word)
        current, size = escaped, len(escaped)
    if current.strip():
        chunks.append(current.strip())
    return chunks


def truncate(text: str, limit: int, *, ellipsis: str = "…") -> str:
    """Cut text to at most `limit` characters, marking the cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - len(ellipsis), 0)] + ellipsis


_USER_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def user_id_from_mention(token: str) -> str | None:
    """The user id in a Slack mention token `<@U123|name>`, or None when the token is not one."""
    match = _USER_MENTION.match(token.strip())
    return match.group(1) if match else None


def escape_text(text: str) -> str:
    """Escape untrusted text (alert labels, annotations) so it is shown as written: no mention, broadcast,
    link or markup can form from it, and no address in it becomes a link (links are built separately,
    only from addresses checked to be http(s))."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut_words(text: str, limit: int, *, ellipsis: str = "…") -> str:
    """Cut plain text to at most `limit` characters at a word boundary (by characters only when a single
    word is longer than a third of `limit`), marking the cut; escape after cutting, so no entity breaks."""
    if len(text) <= limit:
        return text
    room = max(limit - len(ellipsis), 0)
    head = text[:room]
    space = max(head.rfind(" "), head.rfind("\n"), head.rfind("\t"))
    if space >= room * 2 // 3:
        head = head[:space]
    return head.rstrip() + ellipsis
