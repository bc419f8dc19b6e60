"""What the Slack client sends for what a person types: `@bob` becomes `<@U…|bob>`, `#general` `<#C…|general>`.

Slack escapes mentions in a slash command's text when the command is registered with `should_escape`
(Firebell's manifest sets it), so Firebell receives ids, never bare names.
"""

from __future__ import annotations

import re

from firebell.emulator import SlackEmulator

_USER = re.compile(r"(?<![<\w])@([a-z0-9][a-z0-9._-]*)", re.IGNORECASE)
_CHANNEL = re.compile(r"(?<![<\w])#([a-z0-9][a-z0-9_-]*)", re.IGNORECASE)


_BROADCAST = re.compile(r"(?<![<\w])@(channel|here|everyone)\b", re.IGNORECASE)


def as_slack_sends(emu: SlackEmulator, text: str, *, typed: bool = False) -> str:
    """`text` with every `@name` of a workspace member and `#name` of a channel escaped as Slack does.

    With `typed` (a message or slash command typed in the client), also as the client sends typed text:
    `&`, `<` and `>` as entities, so typing `<!channel>` sends text, and `@channel`, `@here` and
    `@everyone` as the broadcasts they are.
    """
    if typed:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = _BROADCAST.sub(lambda match: f"<!{match.group(1).lower()}>", text)

    def user(match: re.Match[str]) -> str:
        found = emu.find_user(match.group(1).lower())
        return f"<@{found.id}|{found.name}>" if found is not None else match.group(0)

    def channel(match: re.Match[str]) -> str:
        found = emu.channel_by_name(match.group(1).lower())
        return f"<#{found.id}|{found.name}>" if found is not None else match.group(0)

    return _CHANNEL.sub(channel, _USER.sub(user, text))
