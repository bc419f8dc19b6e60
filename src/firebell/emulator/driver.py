"""SlackDriver: plays Slack's side towards the app — slash commands, clicks, submissions, events.

Over HTTP (signed POSTs to ``app_url``) by default; with ``socket_mode=True`` as Socket Mode envelopes on
the app's WebSocket, where the ack's payload stands in for the HTTP response body.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlencode

import httpx

from .blocks import iter_elements
from .content import block_problems
from .forms import submission_state
from .ids import token_hex
from .modals import apply_submission_ack
from .models import Channel, Ephemeral, Message, View
from .payloads import (
    action_entry,
    block_actions_payload,
    element_state,
    event_envelope,
    slash_command_form,
    view_submission_payload,
)
from .server import EmulatorServer
from .shapes import view_json
from .socket_mode import EnvelopeType
from .state import SlackEmulator

ACK_DEADLINE = 3.0


@dataclass
class DriverResult:
    """The app's answer to one delivery, with what was sent and how long the ack took."""

    response: httpx.Response
    elapsed: float
    payload: dict[str, Any]
    trigger_id: str | None = None
    response_url: str | None = None
    event_id: str | None = None
    view_outcome: str | None = None
    deadline: float = ACK_DEADLINE
    envelope_id: str | None = None

    @property
    def via(self) -> str:
        """``"socket"`` for a Socket Mode envelope, else ``"http"``."""
        return "http" if self.envelope_id is None else "socket"

    @property
    def status_code(self) -> int:
        """HTTP status of the app's answer (over Socket Mode: 200 once acked, 504 if no ack came)."""
        return self.response.status_code

    @property
    def acked_in_time(self) -> bool:
        """HTTP 200 within Slack's 3-second deadline (``emu.ack_deadline``)."""
        return self.response.status_code == 200 and self.elapsed < self.deadline

    def json(self) -> Any:
        """The ack body parsed as JSON ({} when empty); over Socket Mode, the ack's payload."""
        if not self.response.content.strip():
            return {}
        return self.response.json()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Slack's request signature: ``v0=`` + HMAC-SHA256(secret, ``v0:{timestamp}:{body}``)."""
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackDriver:
    """Sends the app what Slack would send: signed HTTP to ``app_url``, or envelopes over Socket Mode."""

    def __init__(
        self,
        emu: SlackEmulator,
        server: EmulatorServer | None,
        app_url: str | None = None,
        *,
        timeout: float = 10.0,
        socket_mode: bool = False,
    ) -> None:
        if app_url is None and not socket_mode:
            raise ValueError("SlackDriver needs the app's app_url, or socket_mode=True")
        self.emu = emu
        self.server = server
        self.app_url = app_url or ""
        self.socket_mode = socket_mode
        self.timeout = timeout
        self._http = httpx.Client(timeout=timeout)

    def close(self) -> None:
        """Close the HTTP client."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ------------------------------------------------------------ transport
    def _deliver(
        self,
        what: str,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signing_secret: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[httpx.Response, float]:
        ts = int(time.time()) if timestamp is None else timestamp
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": sign(signing_secret or self.emu.signing_secret, ts, body),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **(headers or {}),
        }
        started = time.perf_counter()
        response = self._http.post(self.app_url, content=body, headers=all_headers)
        elapsed = time.perf_counter() - started
        deadline = self.emu.ack_deadline
        if elapsed >= deadline:
            self.emu.add_violation(
                f"{what}: the app took {elapsed:.2f}s to answer (Slack needs an ack within {deadline:g} s)"
            )
        return response, elapsed

    def _deliver_socket(
        self,
        what: str,
        kind: EnvelopeType,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
    ) -> tuple[httpx.Response, float, str]:
        """Send an envelope and wait for its ack; the ack becomes a 200 response whose body is its payload."""
        ack = self.emu.socket_mode.deliver(
            kind,
            payload,
            accepts_response_payload=accepts_response_payload,
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
            timeout=self.timeout,
        )
        deadline = self.emu.ack_deadline
        if not ack.acked or ack.elapsed is None:
            self.emu.add_violation(f"{what}: the app never acked envelope {ack.envelope_id} over Socket Mode")
            elapsed = time.perf_counter() - ack.sent_at
            return httpx.Response(504, text="no ack (emulated Socket Mode)"), elapsed, ack.envelope_id
        if ack.elapsed >= deadline:
            self.emu.add_violation(
                f"{what}: the app took {ack.elapsed:.2f}s to ack over Socket Mode (Slack needs {deadline:g} s)"
            )
        response = httpx.Response(200) if ack.payload is None else httpx.Response(200, json=ack.payload)
        return response, ack.elapsed, ack.envelope_id

    def _no_signing_over_socket(self, timestamp: int | None, signing_secret: str | None) -> None:
        if self.socket_mode and (timestamp is not None or signing_secret is not None):
            raise ValueError("Socket Mode envelopes are not signed; timestamp/signing_secret only apply over HTTP")

    def _result(self, response: httpx.Response, elapsed: float, payload: dict[str, Any], **extra: Any) -> DriverResult:
        return DriverResult(response, elapsed, payload, deadline=self.emu.ack_deadline, **extra)

    def _interaction(self, what: str, payload: dict[str, Any]) -> tuple[httpx.Response, float, str | None]:
        if self.socket_mode:
            accepts = payload.get("type") in ("view_submission", "block_suggestion")
            return self._deliver_socket(what, "interactive", payload, accepts_response_payload=accepts)
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return (*self._deliver(what, body, "application/x-www-form-urlencoded"), None)

    # ------------------------------------------------------------ resolving
    def _channel(self, ref: str) -> Channel:
        if ref.startswith("U") and ref in self.emu.users:
            return self.emu.open_dm(ref)
        return self.emu.channel(ref)

    def _member(self, user_id: str, ch: Channel) -> None:
        self.emu.ensure_member(user_id, ch)

    # ------------------------------------------------------ slash commands
    def slash_command(
        self,
        command: str,
        text: str = "",
        *,
        user: str,
        channel: str,
        timestamp: int | None = None,
        signing_secret: str | None = None,
    ) -> DriverResult:
        """Invoke a slash command as ``user`` in ``channel`` (names or ids)."""
        self._no_signing_over_socket(timestamp, signing_secret)
        emu = self.emu
        with emu.lock:
            user_id = emu.user_id(user)
            ch = self._channel(channel)
            if ch.is_archived:
                raise ValueError(f"#{ch.name} is archived; nobody can run commands there")
            self._member(user_id, ch)
            trigger_id = emu.issue_trigger(user_id, source="slash_command", channel=ch.id)
            response_url = emu.issue_response_url(user_id, ch.id, source="slash_command")
            form = slash_command_form(
                emu,
                command=command,
                text=text,
                user_id=user_id,
                channel=ch,
                response_url=response_url,
                trigger_id=trigger_id,
            )
        what = f"slash command {command}"
        envelope_id = None
        if self.socket_mode:
            response, elapsed, envelope_id = self._deliver_socket(
                what, "slash_commands", dict(form), accepts_response_payload=True
            )
        else:
            response, elapsed = self._deliver(
                what,
                urlencode(form).encode(),
                "application/x-www-form-urlencoded",
                timestamp=timestamp,
                signing_secret=signing_secret,
            )
        result = self._result(
            response, elapsed, dict(form), trigger_id=trigger_id, response_url=response_url, envelope_id=envelope_id
        )
        if result.acked_in_time:
            self._show_command_ack(command, user_id, ch, response)
        return result

    def answer(self, result: DriverResult, timeout: float = 5.0) -> dict[str, Any]:
        """What the person sees in answer to a slash command: the ack's body when it carried text or blocks,
        else the first message the app posted to the command's response_url (waited for up to ``timeout``)."""
        acked = result.json()
        if isinstance(acked, dict) and (acked.get("text") or acked.get("blocks")):
            return acked
        if result.response_url is None:
            raise ValueError("this delivery had no response_url, so its ack is the whole answer")
        url_id = result.response_url.rstrip("/").rsplit("/", 1)[-1]
        post = self.emu.wait_for(lambda emu: emu.first_response(url_id), timeout=timeout, interval=0.005)
        return dict(post.body)

    def _show_command_ack(self, command: str, user_id: str, ch: Channel, response: httpx.Response) -> None:
        raw = response.content.strip()
        if not raw:
            return
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"text": response.text}
        if not isinstance(body, dict) or not (body.get("text") or body.get("blocks")):
            return
        emu = self.emu
        with emu.lock:
            blocks = body.get("blocks")
            if blocks is not None:
                problem = block_problems(emu, blocks, f"slash command {command} ack")
                if problem is not None:
                    emu.add_violation(problem.violation or problem.error)
                    return
            text = str(body.get("text") or "")
            blocks_list = blocks if isinstance(blocks, list) else []
            if body.get("response_type") == "in_channel":
                emu.store_message(
                    Message(
                        ts=emu.next_ts(),
                        channel=ch.id,
                        user=emu.bot_user_id,
                        bot_id=emu.bot_id,
                        app_id=emu.app_id,
                        text=text,
                        blocks=blocks_list,
                    )
                )
            else:
                emu.add_command_ack(
                    Ephemeral(
                        channel=ch.id, user=user_id, text=text, blocks=blocks_list, via="command_ack", ts=emu.next_ts()
                    )
                )

    # ------------------------------------------------------------- clicks
    def _pick(
        self, blocks: Any, action_id: str, block_id: str | None, value: Any, where: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        matches = [
            (b, el)
            for b, el in iter_elements(blocks)
            if el.get("action_id") == action_id and (block_id is None or b.get("block_id") == block_id)
        ]
        if value is not None and len(matches) > 1:
            buttons = [(b, el) for b, el in matches if el.get("type") == "button" and el.get("value") == value]
            matches = buttons or matches
        if not matches:
            known = sorted({str(el.get("action_id")) for _, el in iter_elements(blocks)})
            raise ValueError(f"{where} has no element with action_id {action_id!r} (has {known})")
        if len(matches) > 1:
            raise ValueError(f"{where} has several elements with action_id {action_id!r}; pass block_id")
        return matches[0]

    def click(  # noqa: PLR0917 - positional order is the documented public interface
        self,
        user: str,
        channel: str,
        message_ts: str,
        action_id: str,
        value: Any = None,
        block_id: str | None = None,
    ) -> DriverResult:
        """Click/select an element of a stored message (or of an ephemeral shown to ``user``)."""
        emu = self.emu
        with emu.lock:
            user_id = emu.user_id(user)
            ch = self._channel(channel)
            message = ch.messages.get(message_ts)
            ephemeral = None
            if message is None:
                # An ephemeral shown to the user: posted with chat.postEphemeral / a response_url, or the
                # reply a slash command's ack carried (Slack shows both the same way, buttons included).
                ephemeral = next(
                    (
                        e
                        for e in [*emu.ephemerals, *emu.command_acks]
                        if e.ts == message_ts and e.user == user_id and not e.deleted
                    ),
                    None,
                )
                if ephemeral is None:
                    raise KeyError(f"no message {message_ts} in {ch.id} (nor an ephemeral for {user})")
            elif ch.is_private or ch.is_im or ch.is_mpim:
                self._member(user_id, ch)
            blocks = message.blocks if message is not None else (ephemeral.blocks if ephemeral else [])
            block, element = self._pick(blocks, action_id, block_id, value, f"message {message_ts}")
            trigger_id = emu.issue_trigger(user_id, source="block_actions", channel=ch.id)
            response_url = emu.issue_response_url(
                user_id,
                ch.id,
                source="block_actions",
                message_ts=message.ts if message else None,
                ephemeral_ts=ephemeral.ts if ephemeral else None,
            )
            payload = block_actions_payload(
                emu,
                user_id=user_id,
                actions=[action_entry(emu, block, element, value)],
                trigger_id=trigger_id,
                channel=ch,
                message=message,
                ephemeral=ephemeral,
                response_url=response_url,
            )
        response, elapsed, envelope_id = self._interaction(f"block_actions {action_id}", payload)
        return self._result(
            response, elapsed, payload, trigger_id=trigger_id, response_url=response_url, envelope_id=envelope_id
        )

    def _open_view(self, user_id: str, view_id: str) -> View:
        view = self.emu.views.get(view_id)
        if view is None:
            raise KeyError(f"no view {view_id}")
        if view.user != user_id:
            raise ValueError(f"view {view_id} belongs to {view.user}, not {user_id}")
        if view.closed:
            raise ValueError(f"view {view_id} is closed")
        return view

    def click_in_view(
        self, user: str, view_id: str, action_id: str, value: Any = None, block_id: str | None = None
    ) -> DriverResult:
        """Interact with an element inside an open modal or Home tab (block_actions, container=view)."""
        emu = self.emu
        with emu.lock:
            user_id = emu.user_id(user)
            view = self._open_view(user_id, view_id)
            block, element = self._pick(view.view.get("blocks"), action_id, block_id, value, f"view {view_id}")
            if element.get("type") not in ("button", "overflow", "workflow_button"):
                entry = element_state(emu, element, value, use_initial=False)
                view.state.setdefault(str(block.get("block_id")), {})[action_id] = entry
            trigger_id = emu.issue_trigger(user_id, source="block_actions", view_id=view.id)
            payload = block_actions_payload(
                emu,
                user_id=user_id,
                actions=[action_entry(emu, block, element, value)],
                trigger_id=trigger_id,
                view=view,
            )
        response, elapsed, envelope_id = self._interaction(f"block_actions {action_id} in view {view_id}", payload)
        return self._result(response, elapsed, payload, trigger_id=trigger_id, envelope_id=envelope_id)

    def submit_view(self, user: str, view_id: str, values: dict[str, Any] | None = None) -> DriverResult:
        """Submit an open modal with ``values`` keyed by action_id; applies the ack's response_action."""
        emu = self.emu
        with emu.lock:
            user_id = emu.user_id(user)
            view = self._open_view(user_id, view_id)
            stack = emu.modal_stacks.get(user_id, [])
            if view.type != "modal" or not stack or stack[-1] != view.id:
                raise ValueError(f"view {view_id} is not the modal on top of {user}'s stack; it cannot be submitted")
            view.state = submission_state(emu, view, values or {})
            trigger_id = emu.issue_trigger(user_id, source="view_submission", view_id=view.id)
            payload = view_submission_payload(emu, user_id=user_id, view=view, trigger_id=trigger_id)
        response, elapsed, envelope_id = self._interaction(f"view_submission {view.callback_id}", payload)
        result = self._result(response, elapsed, payload, trigger_id=trigger_id, envelope_id=envelope_id)
        try:
            body = result.json()
        except ValueError:
            emu.add_violation(f"view_submission {view.callback_id}: the ack body is not JSON: {response.text[:200]!r}")
            result.view_outcome = "failed"
            return result
        result.view_outcome = apply_submission_ack(emu, view, response.status_code, elapsed, body)
        return result

    # ------------------------------------------------------------- events
    def event(
        self,
        event: dict[str, Any],
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        *,
        event_id: str | None = None,
        event_time: int | None = None,
    ) -> DriverResult:
        """Deliver an Events API event (retries: pass the same event_id and a retry_num 1-3)."""
        inner = dict(event)
        inner.setdefault("event_ts", self.emu.next_ts())
        event_id = event_id or f"Ev{token_hex(5).upper()}"
        envelope = event_envelope(self.emu, inner, event_id=event_id, event_time=event_time or int(self.emu.now()))
        what = f"event {inner.get('type')}"
        if self.socket_mode:
            response, elapsed, envelope_id = self._deliver_socket(
                what,
                "events_api",
                envelope,
                accepts_response_payload=False,
                retry_attempt=retry_num or 0,
                retry_reason=retry_reason if retry_num else "",
            )
            return self._result(response, elapsed, envelope, event_id=event_id, envelope_id=envelope_id)
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        response, elapsed = self._deliver(what, json.dumps(envelope).encode(), "application/json", headers=headers)
        return self._result(response, elapsed, envelope, event_id=event_id)

    def react(  # noqa: PLR0917 - positional order is the documented public interface
        self,
        user: str,
        channel: str,
        message_ts: str,
        reaction: str = "pushpin",
        event_id: str | None = None,
        retry_num: int | None = None,
    ) -> DriverResult:
        """Add a reaction in state and deliver the reaction_added event."""
        emu = self.emu
        with emu.lock:
            user_id = emu.user_id(user)
            ch = self._channel(channel)
            if not ch.is_public:
                self._member(user_id, ch)
            message = emu.message(ch.id, message_ts)
            emu.add_reaction(user_id, ch.id, message_ts, reaction)
            event = {
                "type": "reaction_added",
                "user": user_id,
                "reaction": reaction,
                "item_user": message.user,
                "item": {"type": "message", "channel": ch.id, "ts": message_ts},
            }
        return self.event(event, retry_num, event_id=event_id)

    def app_mention(
        self, user: str, channel: str, text: str, thread_ts: str | None = None, event_id: str | None = None
    ) -> DriverResult:
        """Post a human message that mentions the bot and deliver the app_mention event."""
        emu = self.emu
        if f"<@{emu.bot_user_id}>" not in text:
            text = f"<@{emu.bot_user_id}> {text}"
        message = emu.post_as_user(user, channel, text, thread_ts)
        event: dict[str, Any] = {
            "type": "app_mention",
            "user": message.user,
            "text": message.text,
            "ts": message.ts,
            "channel": message.channel,
            "team": emu.team_id,
            "event_ts": message.ts,
        }
        if message.thread_ts:
            event["thread_ts"] = message.thread_ts
        return self.event(event, event_id=event_id)

    def open_home(self, user: str) -> DriverResult:
        """Deliver app_home_opened (tab=home) for a user."""
        emu = self.emu
        with emu.lock:
            user_id = emu.user_id(user)
            dm = emu.open_dm(user_id)
            event: dict[str, Any] = {"type": "app_home_opened", "user": user_id, "channel": dm.id, "tab": "home"}
            home = emu.views.get(emu.home_views.get(user_id, ""))
            if home is not None:
                event["view"] = view_json(emu, home)
        return self.event(event)

    def post_as_user(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> Message:
        """A human message in a channel (state only; no event)."""
        return self.emu.post_as_user(user, channel, text, thread_ts)

    def url_verification(self, challenge: str) -> DriverResult:
        """The Events API url_verification handshake (HTTP only: Socket Mode apps have no request URL)."""
        if self.socket_mode:
            raise ValueError("Slack sends url_verification only to HTTP request URLs, never over Socket Mode")
        body = {"token": self.emu.verification_token, "challenge": challenge, "type": "url_verification"}
        response, elapsed = self._deliver("url_verification", json.dumps(body).encode(), "application/json")
        return self._result(response, elapsed, body)
