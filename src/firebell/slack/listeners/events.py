"""Events API listeners: :pushpin: reactions put messages on the timeline."""

import logging
from typing import Any

from firebell.services.context import Context
from firebell.services.pins import PIN_REACTIONS, request_pin_capture

log = logging.getLogger(__name__)


class Events:
    """Bolt event listeners (Bolt acknowledges events before these run)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def reaction_added(self, event: dict[str, Any]) -> None:
        """Queue copying a pinned message onto its incident's timeline (deduplicated by message)."""
        item = event.get("item") or {}
        if event.get("reaction") not in PIN_REACTIONS or item.get("type") != "message":
            return
        channel, ts, user = item.get("channel"), item.get("ts"), event.get("user")
        if not (channel and ts and user):
            return
        request_pin_capture(self.ctx, channel_id=channel, message_ts=ts, reactor=user)
