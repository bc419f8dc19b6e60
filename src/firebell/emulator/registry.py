"""The method-handler registry and the per-call context handlers receive."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

from .args import Args
from .errors import SlackError
from .models import Channel
from .scopes import needed_for_type
from .spec import MethodSpec

if TYPE_CHECKING:
    from .state import SlackEmulator

Handler = Callable[["Ctx"], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}


def handler(*methods: str) -> Callable[[Handler], Handler]:
    """Register a function as the handler of one or more Web API methods."""

    def register(fn: Handler) -> Handler:
        for method in methods:
            HANDLERS[method] = fn
        return fn

    return register


@dataclass
class Ctx:
    """One call being handled: the emulator (lock held), method name, arguments and spec."""

    emu: SlackEmulator
    method: str
    args: Args
    spec: MethodSpec

    def fail(self, error: str, violation: str | None = None, **extra: Any) -> NoReturn:
        """Answer with a Slack error; ``violation`` (if given) is recorded as a broken rule."""
        raise SlackError(error, violation=f"{self.method}: {violation}" if violation else None, **extra)

    def violate(self, text: str) -> None:
        """Record a broken rule without failing the call (Slack accepts it but it is a client bug)."""
        self.emu.add_violation(f"{self.method}: {text}")

    def warn(self, text: str) -> None:
        """Record non-fatal advice."""
        self.emu.add_warning(f"{self.method}: {text}")

    def visible(self, ch: Channel) -> bool:
        """Whether the bot can see a conversation (public, or it is a member)."""
        return ch.is_public or ch.has_member(self.emu.bot_user_id)

    def channel(self, arg: str = "channel", *, allow_name: bool = False, allow_user: bool = False) -> Channel:
        """Resolve a channel argument (id; ``#name``/name if allowed; user id → the bot's DM if allowed)."""
        ref = (self.args.string(arg) or "").strip()
        if not ref:
            self.fail("channel_not_found", f"missing required argument '{arg}'")
        emu = self.emu
        found = emu.channels.get(ref)
        if found is None and allow_user and ref in emu.users and not emu.users[ref].is_bot:
            found = emu.open_dm(ref)
        if found is None and allow_name:
            found = emu.channel_by_name(ref)
        if found is None and not allow_name and emu.channel_by_name(ref) is not None:
            self.fail("channel_not_found", f"'{arg}' must be a channel id, got the name {ref!r}")
        if found is None or not self.visible(found):
            self.fail("channel_not_found")
        self.require_scope_for(found.type_name)
        return found

    def require_scope_for(self, type_name: str) -> None:
        """missing_scope when the token lacks this method's scope for the conversation type (public_channel…)."""
        if self.emu.scopes is None:
            return
        needed = needed_for_type(self.spec.bot_scopes, self.emu.scopes, type_name)
        if needed:
            self.fail(
                "missing_scope",
                f"needs one of {list(needed)} for a {type_name.replace('_', ' ')}",
                needed=",".join(needed),
                provided=",".join(sorted(self.emu.scopes)),
            )

    def require_member(self, ch: Channel) -> None:
        """not_in_channel unless the bot is a member."""
        if not ch.has_member(self.emu.bot_user_id):
            self.fail("not_in_channel")

    def require_active(self, ch: Channel) -> None:
        """is_archived if the channel is archived."""
        if ch.is_archived:
            self.fail("is_archived")

    def require_channel_type(self, ch: Channel, *, allow_im: bool = False) -> None:
        """method_not_supported_for_channel_type for DMs unless allowed."""
        if (ch.is_im or ch.is_mpim) and not allow_im:
            self.fail("method_not_supported_for_channel_type")
