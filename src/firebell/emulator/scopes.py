"""Scopes by conversation type: `channels:*` for public channels, `groups:*` private, `im:*` DMs, `mpim:*`.

A method such as conversations.setTopic lists a scope per conversation type; Slack answers `missing_scope`
when the token lacks the one for the conversation the call names, whatever it holds for other types.
"""

from __future__ import annotations

from collections.abc import Collection

FAMILY = {"public_channel": "channels", "private_channel": "groups", "im": "im", "mpim": "mpim"}
_FAMILIES = frozenset(FAMILY.values())


def _family(scope: str) -> str:
    return scope.split(":", 1)[0]


def needed_for_type(method_scopes: Collection[str], granted: Collection[str], type_name: str) -> tuple[str, ...]:
    """The scopes (one of which would do) a call on this conversation type lacks; empty when it may go on.

    Methods whose scopes name no conversation type (chat:write, pins:write) are not checked here, nor is a
    type the method has no scope for (the method's own handler refuses that conversation type).
    """
    if not any(_family(scope) in _FAMILIES for scope in method_scopes):
        return ()
    family = FAMILY[type_name]
    needed = tuple(scope for scope in method_scopes if _family(scope) == family)
    if not needed or set(needed) & set(granted):
        return ()
    return needed
