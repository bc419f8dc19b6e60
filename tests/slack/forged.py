"""Requests Slack would never send but a signed (or garbled) one can: button values and form states
that Firebell's own buttons and Slack's pickers could not produce, posted through /slack/events."""

import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx

from firebell.emulator.driver import sign
from firebell.emulator.forms import submission_state
from firebell.emulator.models import Message, View
from firebell.emulator.payloads import block_actions_payload, view_submission_payload
from tests.harness import Firebell


def post_signed(
    firebell: Firebell, body: bytes, content_type: str = "application/x-www-form-urlencoded"
) -> httpx.Response:
    """POST `body` to /slack/events, signed as Slack signs."""
    ts = int(time.time())
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sign(firebell.emu.signing_secret, ts, body),
    }
    return httpx.post(f"{firebell.url}/slack/events", content=body, headers=headers, timeout=10)


def post_payload(firebell: Firebell, payload: dict[str, Any]) -> httpx.Response:
    """POST an interaction payload, signed."""
    return post_signed(firebell, urlencode({"payload": json.dumps(payload)}).encode())


def forged_click(
    firebell: Firebell, user: str, message: Message, action_id: str, value: str
) -> tuple[httpx.Response, str]:
    """Press a button `action_id` on `message` carrying `value`, one Firebell never gave it; (answer, response_url)."""
    emu = firebell.emu
    with emu.lock:
        user_id = emu.user_id(user)
        ch = emu.channel(message.channel)
        action = {
            "action_id": action_id,
            "block_id": "forged",
            "type": "button",
            "text": {"type": "plain_text", "text": "Forged"},
            "value": value,
            "action_ts": f"{emu.now():.6f}",
        }
        response_url = emu.issue_response_url(user_id, ch.id, source="block_actions", message_ts=message.ts)
        payload = block_actions_payload(
            emu,
            user_id=user_id,
            actions=[action],
            trigger_id=emu.issue_trigger(user_id, source="block_actions", channel=ch.id),
            channel=ch,
            message=message,
            response_url=response_url,
        )
    return post_payload(firebell, payload), response_url


def forged_submission(
    firebell: Firebell, user: str, view: View, values: dict[str, Any], forged: dict[str, dict[str, Any]]
) -> httpx.Response:
    """Submit `view` with `values` as Slack's UI would send them, then `forged` states put over some blocks."""
    emu = firebell.emu
    with emu.lock:
        user_id = emu.user_id(user)
        view.state = submission_state(emu, view, values)
        for block_id, state in forged.items():
            view.state.setdefault(block_id, {})["value"] = state
        trigger_id = emu.issue_trigger(user_id, source="view_submission", view_id=view.id)
        payload = view_submission_payload(emu, user_id=user_id, view=view, trigger_id=trigger_id)
    return post_payload(firebell, payload)


def response_text(firebell: Firebell, response_url: str) -> str:
    """The text Firebell sent to a response_url (waits for it)."""
    url_id = response_url.rsplit("/", 1)[1]
    post = firebell.wait_for(lambda: firebell.emu.first_response(url_id), what="a reply to the response_url")
    return str(post.body.get("text", ""))
