"""Which pings a message causes: live ``<@U…>``, ``<!here>``/``<!channel>``/``<!everyone>``, user groups."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .models import Message

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_BROADCAST = re.compile(r"<!(channel|here|everyone)(?:\|[^>]*)?>")
_SUBTEAM = re.compile(r"<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>")
_BROADCAST_RANGES = frozenset({"channel", "here", "everyone"})


def _scan_text(text: str, found: set[str]) -> None:
    found.update(_USER.findall(text))
    found.update(_BROADCAST.findall(text))
    found.update(_SUBTEAM.findall(text))


def _scan_blocks(value: Any, found: set[str]) -> None:
    if isinstance(value, list):
        for item in value:
            _scan_blocks(item, found)
        return
    if not isinstance(value, dict):
        return
    kind = value.get("type")
    text = value.get("text")
    if kind in ("mrkdwn", "markdown") and isinstance(text, str):
        _scan_text(text, found)
    elif kind == "user" and isinstance(value.get("user_id"), str):
        found.add(value["user_id"])
    elif kind == "broadcast" and value.get("range") in _BROADCAST_RANGES:
        found.add(str(value["range"]))
    elif kind == "usergroup" and isinstance(value.get("usergroup_id"), str):
        found.add(value["usergroup_id"])
    for key, item in value.items():
        if key != "text" or not isinstance(item, str):
            _scan_blocks(item, found)


def _scan_attachments(attachments: Any, found: set[str]) -> None:
    if not isinstance(attachments, list):
        return
    for att in attachments:
        if not isinstance(att, dict):
            continue
        for key in ("text", "pretext"):
            if isinstance(att.get(key), str):
                _scan_text(att[key], found)
        for fld in att.get("fields") or []:
            if isinstance(fld, dict) and isinstance(fld.get("value"), str):
                _scan_text(fld["value"], found)
        _scan_blocks(att.get("blocks"), found)


def mentions(source: str | Message | Mapping[str, Any]) -> set[str]:
    """Pinged user ids, ``"channel"``/``"here"``/``"everyone"`` and user-group ids (``S…``).

    Looks at the text and at every mrkdwn (not plain_text) object and rich-text mention in blocks and
    attachments. Escaped forms such as ``&lt;!channel&gt;`` do not ping and are not reported.
    """
    found: set[str] = set()
    if isinstance(source, str):
        _scan_text(source, found)
        return found
    text: Any
    blocks: Any
    attachments: Any
    if isinstance(source, Message):
        text, blocks, attachments = source.text, source.blocks, source.attachments
    else:
        text, blocks, attachments = source.get("text"), source.get("blocks"), source.get("attachments")
    if isinstance(text, str):
        _scan_text(text, found)
    _scan_blocks(blocks, found)
    _scan_attachments(attachments, found)
    return found
