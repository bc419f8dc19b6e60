"""Block Kit to readable terminal text: what a person would read in the Slack client.

Mentions become names (`@Alice Moreau`, `#inc-1-db-down`), links show their label and address, dates
their fallback text, buttons their label in brackets (`[Resolve]`); mrkdwn emphasis is left as written
(`*bold*`) so plain logs stay readable. `styled()` turns that mrkdwn into rich styles for a terminal.

A mention that would notify someone (a live `<@U…>`, `<!channel>`, `<!here>`, a user group) is shown
between ‹ › marks (`‹@Alice Moreau›`, `‹@channel›`), highlighted in colour, as Slack highlights it; text
that merely reads "@channel" (escaped, or a plain_text field) stays plain text, as Slack shows it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from typing import Any

from rich.text import Text

Resolver = Callable[[str], str | None]

_TEXT_INPUTS = frozenset({"plain_text_input", "email_text_input", "url_text_input", "number_input"})
_ANGLE = re.compile(r"<([^<>]+)>")
_DATE = re.compile(r"^!date\^(\d+)\^[^|]*(?:\^[^|]*)?(?:\|(.*))?$", re.DOTALL)


class Names:
    """How ids become names: `user(id)` and `channel(id)` answer a name, or None for an unknown id."""

    def __init__(self, user: Resolver | None = None, channel: Resolver | None = None) -> None:
        self.user = user or (lambda _: None)
        self.channel = channel or (lambda _: None)


PING_OPEN, PING_CLOSE = "‹", "›"
_BROADCASTS = frozenset({"channel", "here", "everyone"})


def ping(name: str) -> str:
    """A mention that notifies, marked apart from text that only reads like one."""
    return f"{PING_OPEN}{name}{PING_CLOSE}"


def _special(body: str, label: str, mark: Callable[[str], str]) -> str:
    date = _DATE.match(f"{body}|{label}" if label else body)
    if date:
        return date.group(2) or date.group(1)
    if body.startswith("!subteam^"):
        return mark(label or "@" + body.removeprefix("!subteam^"))
    word = body[1:].split("^", 1)[0]
    return mark("@" + (label or word).removeprefix("@")) if word in _BROADCASTS else "@" + (label or body[1:])


def _token(token: str, names: Names, mark: Callable[[str], str]) -> str:
    body, _, label = token.partition("|")
    if body.startswith("@"):
        return mark("@" + (names.user(body[1:]) or label or body[1:]))
    if body.startswith("#"):
        return "#" + (names.channel(body[1:]) or label or body[1:])
    if body.startswith("!"):
        return _special(body, label, mark)
    return f"{label} ({body})" if label and label != body else body


def _unmarked(name: str) -> str:
    return name


def mrkdwn(text: str, names: Names, *, pings: bool = True) -> str:
    """Resolve Slack's angle-bracket tokens (mentions, channels, links, dates) and HTML entities; mentions
    that notify are marked (`pings=False` for text that notifies no one: topics, Slack's own notices)."""
    mark = ping if pings else _unmarked
    return html.unescape(_ANGLE.sub(lambda m: _token(m.group(1), names, mark), text))


def _text(obj: Any, names: Names) -> str:
    if not isinstance(obj, dict):
        return ""
    value = str(obj.get("text") or "")
    return value if obj.get("type") == "plain_text" else mrkdwn(value, names)


def _element(element: Any, names: Names) -> str:
    if not isinstance(element, dict):
        return ""
    kind = element.get("type")
    if kind in ("plain_text", "mrkdwn"):
        shown = _text(element, names)
    elif kind == "button":
        shown = f"[{_text(element.get('text'), names)}]"
    elif kind == "overflow":
        shown = "[⋯]"
    elif kind == "image":
        shown = f"(image: {element.get('alt_text', '')})"
    elif kind in _TEXT_INPUTS:
        shown = f"[{element.get('initial_value') or _text(element.get('placeholder'), names) or '…'}]"
    else:  # a select or picker: its current choice, else its placeholder
        label = (element.get("initial_option") or {}).get("text") or element.get("placeholder")
        shown = f"[{_text(label, names) if label else str(kind).replace('_', ' ')} ▾]"
    return shown


def _rich_text(elements: Iterable[Any], names: Names) -> str:
    parts: list[str] = []
    for element in elements:
        if not isinstance(element, dict):
            continue
        kind = element.get("type")
        if kind == "text":
            parts.append(str(element.get("text", "")))
        elif kind == "user":
            user_id = str(element.get("user_id", ""))
            parts.append(ping("@" + (names.user(user_id) or user_id)))
        elif kind == "usergroup":
            parts.append(ping("@" + str(element.get("usergroup_id", ""))))
        elif kind == "broadcast":
            parts.append(ping("@" + str(element.get("range", ""))))
        elif kind == "channel":
            channel_id = str(element.get("channel_id", ""))
            parts.append("#" + (names.channel(channel_id) or channel_id))
        elif kind == "link":
            parts.append(str(element.get("text") or element.get("url", "")))
        elif kind == "emoji":
            parts.append(f":{element.get('name', '')}:")
        elif "elements" in element:
            inner = _rich_text(element["elements"], names)
            if kind == "rich_text_list":
                inner = "\n".join(f"• {line}" for line in inner.splitlines())
            parts.append(inner + ("\n" if kind != "rich_text_section" else ""))
    return "".join(parts)


def _header_block(block: dict[str, Any], names: Names) -> list[str]:
    return [_text(block.get("text"), names).upper()]


def _section_block(block: dict[str, Any], names: Names) -> list[str]:
    lines = _text(block["text"], names).splitlines() if block.get("text") else []
    for field in block.get("fields") or []:
        label, _, value = _text(field, names).partition("\n")
        lines.append(f"{label}: {' '.join(value.splitlines())}" if value else label)
    if block.get("accessory"):
        lines.append(_element(block["accessory"], names))
    return lines


def _context_block(block: dict[str, Any], names: Names) -> list[str]:
    return [" · ".join(filter(None, (_element(e, names) for e in block.get("elements") or [])))]


def _actions_block(block: dict[str, Any], names: Names) -> list[str]:
    return [" ".join(filter(None, (_element(e, names) for e in block.get("elements") or [])))]


def _input_block(block: dict[str, Any], names: Names) -> list[str]:
    return [f"{_text(block.get('label'), names)}: {_element(block.get('element'), names)}"]


def _rich_text_block(block: dict[str, Any], names: Names) -> list[str]:
    return _rich_text(block.get("elements") or [], names).rstrip("\n").splitlines()


_BLOCKS: dict[str, Callable[[dict[str, Any], Names], list[str]]] = {
    "header": _header_block,
    "section": _section_block,
    "context": _context_block,
    "actions": _actions_block,
    "divider": lambda _block, _names: ["─" * 24],
    "input": _input_block,
    "image": lambda block, _names: [f"(image: {block.get('alt_text', '')})"],
    "rich_text": _rich_text_block,
    "markdown": lambda block, _names: str(block.get("text", "")).splitlines(),
}


def block_lines(block: Any, names: Names) -> list[str]:
    """The lines one block shows (none for a block type the terminal cannot show)."""
    if not isinstance(block, dict):
        return []
    render = _BLOCKS.get(str(block.get("type")))
    return render(block, names) if render else []


def render_message(text: str, blocks: list[dict[str, Any]] | None, names: Names) -> list[str]:
    """A message's lines: its blocks when it has any (Slack then shows only those), else its text."""
    if blocks:
        lines = [line for block in blocks for line in block_lines(block, names)]
        if any(line.strip() for line in lines):
            return lines
    return mrkdwn(text, names).splitlines() or [""]


def buttons(blocks: list[dict[str, Any]] | None) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(label, block, element) of every button in a message, in order."""
    found: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for block in blocks or []:
        candidates = list(block.get("elements") or []) if block.get("type") == "actions" else []
        if isinstance(block.get("accessory"), dict):
            candidates.append(block["accessory"])
        for element in candidates:
            if isinstance(element, dict) and element.get("type") == "button":
                found.append((str((element.get("text") or {}).get("text", "")), block, element))
    return found


_EMPHASIS = re.compile(
    rf"{PING_OPEN}([^{PING_OPEN}{PING_CLOSE}\n]+){PING_CLOSE}"
    r"|(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])"
    r"|`([^`\n]+)`"
    r"|(?<![\w_])_(?!\s)([^_\n]+?)(?<!\s)_(?![\w_])"
    r"|(?<![\w~])~(?!\s)([^~\n]+?)(?<!\s)~(?![\w~])"
)


_MENTION = "bold black on yellow"  # Slack's highlight for a mention that notifies
_PING = re.compile(f"{PING_OPEN}([^{PING_OPEN}{PING_CLOSE}\n]+){PING_CLOSE}")


def _with_pings(text: str, style: str) -> Text:
    out = Text(style=style)
    last = 0
    for match in _PING.finditer(text):
        out.append(text[last : match.start()])
        out.append(match.group(1), style=_MENTION)
        last = match.end()
    out.append(text[last:])
    return out


def styled(line: str, *, emoji: bool = True) -> Text:
    """One rendered line as rich Text: *bold*, _italic_ and `code` styled, notifying mentions highlighted
    (without their ‹ › marks), emoji codes as emoji."""
    if emoji:
        from rich.emoji import Emoji

        line = Emoji.replace(line)
    out = Text()
    last = 0
    for match in _EMPHASIS.finditer(line):
        out.append(line[last : match.start()])
        mention, bold, code, italic, strike = match.groups()
        if mention is not None:
            out.append(mention, style=_MENTION)
        elif bold is not None:
            out.append(_with_pings(bold, "bold"))
        elif code is not None:
            out.append(code, style="cyan")
        elif italic is not None:
            out.append(_with_pings(italic, "italic"))
        else:
            out.append(_with_pings(strike, "strike"))
        last = match.end()
    out.append(line[last:])
    return out
