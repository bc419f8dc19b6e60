"""Signed cookies of the web view: the sign-in state (minutes) and the session (hours), each with its own salt."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

SESSION_COOKIE = "firebell_web_session"  # not the status page's, not the API's: the internal view's own
STATE_COOKIE = "firebell_web_signin"
SESSION_PATH = "/incidents"  # only the web view's pages ever receive the session
STATE_PATH = "/auth/slack"  # only the sign-in callback receives the state's binding
STATE_MAX_AGE = 10 * 60
SESSION_MAX_AGE = 12 * 60 * 60


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in to the web view."""

    user_id: str
    name: str
    team_id: str


@dataclass(frozen=True)
class PendingSignIn:
    """A sign-in under way: the state sent to Slack, its nonce, the browser binding, and where to go after."""

    state: str
    nonce: str
    binding: str
    next_path: str


class CookieSigner:
    """Signs and checks the web view's cookies with FIREBELL_WEB_SESSION_SECRET (the secret is never logged)."""

    def __init__(
        self,
        secret: str,
        clock: Callable[[], datetime],
        *,
        max_session_age: int = SESSION_MAX_AGE,
        max_state_age: int = STATE_MAX_AGE,
    ) -> None:
        signer = _signer_on(clock)
        self._session = URLSafeTimedSerializer(secret, salt="firebell-web-session", signer=signer)
        self._state = URLSafeTimedSerializer(secret, salt="firebell-web-signin-state", signer=signer)
        self.max_session_age = max_session_age
        self.max_state_age = max_state_age

    def session(self, person: SignedIn) -> str:
        """The session cookie's value."""
        return str(self._session.dumps({"u": person.user_id, "n": person.name, "t": person.team_id}))

    def read_session(self, value: str | None) -> SignedIn | None:
        """The signed-in person, or None for no cookie, a forged or tampered one, or one past its age."""
        data = self._loads(self._session, value, self.max_session_age)
        if data is None or not all(isinstance(data.get(k), str) for k in ("u", "n", "t")):
            return None
        return SignedIn(user_id=data["u"], name=data["n"], team_id=data["t"])

    def start_sign_in(self, next_path: str) -> PendingSignIn:
        """A fresh state (signed, short-lived) bound to a random value kept in a cookie, and a fresh nonce."""
        binding, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        state = str(self._state.dumps({"b": binding, "n": nonce, "next": next_path}))
        return PendingSignIn(state=state, nonce=nonce, binding=binding, next_path=next_path)

    def check_state(self, state: str | None, binding: str | None) -> PendingSignIn | str:
        """The pending sign-in this state belongs to, or why it is refused."""
        if not state:
            return "The sign-in came back without its state."
        try:
            data = self._state.loads(state, max_age=self.max_state_age)
        except SignatureExpired:
            return "The sign-in took too long (over 10 minutes)."
        except BadSignature:
            return "The sign-in's state is not one Firebell issued."
        if not isinstance(data, dict) or not binding or not secrets.compare_digest(str(data.get("b")), binding):
            return "The sign-in was started in another browser (or its cookie was lost)."
        return PendingSignIn(state=state, nonce=str(data.get("n")), binding=binding, next_path=str(data.get("next")))

    @staticmethod
    def _loads(serializer: URLSafeTimedSerializer, value: str | None, max_age: int) -> dict[str, Any] | None:
        if not value:
            return None
        try:
            data = serializer.loads(value, max_age=max_age)
        except BadSignature:  # SignatureExpired included
            return None
        return data if isinstance(data, dict) else None


def _signer_on(clock: Callable[[], datetime]) -> type[TimestampSigner]:
    """A TimestampSigner whose stamps and ages come from Firebell's clock (the tests' hand-moved one)."""

    class ClockedSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock().timestamp())

    return ClockedSigner
