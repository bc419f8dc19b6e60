"""Bolt's async app answers Slack on the event loop; Firebell's listeners make blocking database calls.

`on_worker` turns such a synchronous listener into the async listener Bolt's AsyncApp expects: it runs on
a worker thread (at most `limiter`'s capacity at once, so threads do not fight over the GIL), and what
it acknowledged with is handed back to Bolt's ack on the event loop once it returns. The listener keeps
its synchronous arguments: an `Ack` that records, the synchronous Web API client, and a `Respond`.

Such a listener commits its work before Slack gets the acknowledgement, so what was acknowledged is
durable. Each request is recorded in the inbox with the first change it makes (a seal), so a Slack retry
or a replay of the same request (same trigger_id or event_id) is recognised and changes nothing again.
"""

import functools
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from slack_bolt import Ack, Respond
from slack_bolt.async_app import AsyncAck, AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient

from firebell.services import inbox
from firebell.services.context import Context
from firebell.slack.listeners.inbox import request_key

log = logging.getLogger(__name__)

# The arguments a wrapped listener may name, as Bolt's synchronous App would have passed them.
_KNOWN = {"ack", "body", "client", "respond", "view", "event"}


class RecordingAck(Ack):
    """A synchronous `ack` that remembers its arguments, to be replayed on Bolt's async ack."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.called = False
        self.arguments: dict[str, Any] = {}

    def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        if args:
            kwargs["text"] = args[0]
        self.called, self.arguments = True, kwargs
        return super().__call__(**kwargs)


# Interactions are done in the name of the person in their `user`; one without a user is forged or broken.
_INTERACTIONS = frozenset({"block_actions", "view_submission", "view_closed"})


def _without_actor(body: dict[str, Any]) -> bool:
    """An interaction whose payload names no user, so nothing can be done in anyone's name."""
    if body.get("type") not in _INTERACTIONS:
        return False
    user = body.get("user")
    return not (isinstance(user, dict) and isinstance(user.get("id"), str) and user["id"])


def _once(ctx: Context, body: dict[str, Any], call: Callable[[], None]) -> bool:
    """Run `call` unless this request was carried out before; False when it was (a retry or a replay)."""
    key = request_key(body)
    if inbox.seen(ctx, key):
        log.info("Slack delivered %s again; it was carried out the first time", key)
        return False
    kind = str(body.get("type") or "request")[:20]
    with ctx.db.sealing(inbox.once_seal(ctx, inbox.Request(key=key, kind=kind, lane="once", payload={}))):
        call()
    return True


def on_worker(
    listener: Callable[..., None], *, ctx: Context, client: WebClient, limiter: anyio.CapacityLimiter
) -> Callable[..., Awaitable[None]]:
    """An async Bolt listener running `listener` on a worker thread."""
    names = set(inspect.signature(listener).parameters)
    unknown = names - _KNOWN
    if unknown:
        raise TypeError(f"{listener!r} asks for {sorted(unknown)}; on_worker passes only {sorted(_KNOWN)}")

    async def run(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond | None) -> None:
        if _without_actor(body):
            log.info("ignored a %s without a user: Slack always names who acted", body.get("type"))
            await ack()
            return
        recorded = RecordingAck()
        offered: dict[str, Any] = {
            "ack": recorded,
            "body": body,
            "client": client,
            "respond": Respond(response_url=respond.response_url if respond is not None else None),
            "view": body.get("view"),
            "event": body.get("event"),
        }
        call = functools.partial(listener, **{name: offered[name] for name in names})
        if not await anyio.to_thread.run_sync(_once, ctx, body, call, limiter=limiter):
            await ack()
        elif recorded.called:
            await ack(**recorded.arguments)

    run.__name__ = run.__qualname__ = getattr(listener, "__name__", "listener")
    return run
