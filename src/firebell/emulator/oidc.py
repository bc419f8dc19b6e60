"""Sign in with Slack (OpenID Connect) as the emulator plays it: the authorize page, codes, tokens, user info.

Emulator-only conveniences, not Slack's: `/openid/connect/authorize` takes `user` (or `login_hint`: a name, id
or e-mail of an emulated user) and signs that person in at once, with no consent screen; without one it answers
a page listing the users to pick from. A `team` other than the workspace's signs the person in as a member of
that other workspace (to test that an app refuses other workspaces). The ID token is signed with HS256 and the
client secret (Slack signs with RS256 and publishes its keys); apps that take it straight from the token
endpoint over TLS need not check the signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from .errors import SlackError
from .models import User

if TYPE_CHECKING:
    from .state import SlackEmulator

ISSUER = "https://slack.com"
CODE_TTL = 600.0
TOKEN_METHOD = "openid.connect.token"  # noqa: S105 - a method name
USERINFO_METHOD = "openid.connect.userInfo"
OIDC_METHODS = frozenset({TOKEN_METHOD, USERINFO_METHOD})


@dataclass(frozen=True)
class Grant:
    """One person's sign-in: to which app, from which workspace, for which redirect URL and nonce."""

    user_id: str
    team_id: str
    client_id: str
    redirect_uri: str
    nonce: str | None
    issued_at: float


@dataclass(frozen=True)
class AuthorizeAnswer:
    """What the authorize endpoint answers: a redirect (`location`) or a page (`status`, `html`)."""

    status: int
    location: str | None = None
    html: str = ""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class OpenIdProvider:
    """The app's Sign in with Slack credentials and the codes and tokens issued so far (guarded by emu.lock)."""

    def __init__(self, emu: SlackEmulator) -> None:
        self.emu = emu
        self.client_id = "1000000001.2000000001"  # the form of a Slack app's client id
        self.client_secret = "emulator-client-secret"  # noqa: S105 - a fake's well-known test credential
        self.redirect_urls: list[str] = []  # empty: any http(s) URL (Slack: the app's configured redirect URLs)
        self.codes: dict[str, Grant] = {}
        self.tokens: dict[str, Grant] = {}

    # ------------------------------------------------------------- the browser's side
    def authorize(self, query: dict[str, str]) -> AuthorizeAnswer:
        """`GET /openid/connect/authorize`: check the request and send the chosen user back with a code."""
        problem = self._authorize_problem(query)
        if problem is not None:
            return AuthorizeAnswer(400, html=f"<p>{html.escape(problem)}</p>")
        ref = (query.get("user") or query.get("login_hint") or "").strip()
        if not ref:
            return AuthorizeAnswer(200, html=self._chooser(query))
        user = self._find(ref)
        if user is None:
            return AuthorizeAnswer(400, html=f"<p>No emulated user {html.escape(ref)!s}.</p>")
        team = (query.get("team") or "").strip() or self.emu.team_id
        code = secrets.token_hex(16)
        self.codes[code] = Grant(
            user_id=user.id,
            team_id=team,
            client_id=query["client_id"],
            redirect_uri=query["redirect_uri"],
            nonce=query.get("nonce"),
            issued_at=self.emu.now(),
        )
        back = {"code": code, "state": query.get("state", "")}
        separator = "&" if "?" in query["redirect_uri"] else "?"
        return AuthorizeAnswer(302, location=f"{query['redirect_uri']}{separator}{urlencode(back)}")

    def _authorize_problem(self, query: dict[str, str]) -> str | None:
        if query.get("client_id") != self.client_id:
            return "invalid_client_id: unknown client_id"
        if query.get("response_type") != "code":
            return "invalid_response_type: response_type must be code"
        if "openid" not in (query.get("scope") or "").split():
            return "invalid_scope: the scope must include openid"
        redirect = query.get("redirect_uri") or ""
        if urlsplit(redirect).scheme not in ("http", "https"):
            return "bad_redirect_uri: redirect_uri must be an http(s) URL"
        if self.redirect_urls and not any(redirect.startswith(url) for url in self.redirect_urls):
            return "bad_redirect_uri: redirect_uri is not one of the app's redirect URLs"
        return None

    def _find(self, ref: str) -> User | None:
        found = self.emu.find_user(ref)
        if found is None:
            found = next((u for u in self.emu.users.values() if u.email and u.email.lower() == ref.lower()), None)
        return found if found is not None and not found.is_bot and not found.deleted else None

    def _chooser(self, query: dict[str, str]) -> str:
        links = "".join(
            f'<li><a href="/openid/connect/authorize?{html.escape(urlencode({**query, "user": u.id}))}">'
            f"{html.escape(u.real_name)} ({html.escape(u.name)})</a></li>"
            for u in self.emu.users.values()
            if not u.is_bot and not u.deleted
        )
        return f"<!doctype html><title>Sign in with Slack (emulator)</title><h1>Sign in as</h1><ul>{links}</ul>"

    # ------------------------------------------------------------- the app's side
    def exchange(self, args: dict[str, str]) -> dict[str, Any]:
        """`openid.connect.token`: a code (once, within 10 minutes) for an access token and an ID token."""
        if args.get("client_id") != self.client_id:
            raise SlackError("invalid_client_id")
        if not hmac.compare_digest(args.get("client_secret", ""), self.client_secret):
            raise SlackError("bad_client_secret")
        if args.get("grant_type") not in (None, "", "authorization_code"):
            raise SlackError("invalid_grant_type")
        grant = self.codes.pop(args.get("code", ""), None)
        if grant is None or self.emu.now() - grant.issued_at > CODE_TTL or grant.client_id != self.client_id:
            raise SlackError("invalid_code")
        if args.get("redirect_uri") != grant.redirect_uri:
            raise SlackError("bad_redirect_uri")
        token = f"xoxp-{secrets.token_hex(12)}"
        self.tokens[token] = grant
        return {
            "ok": True,
            "access_token": token,
            "token_type": "Bearer",
            "id_token": self._id_token(grant),
        }

    def user_info(self, token: str) -> dict[str, Any]:
        """`openid.connect.userInfo`: who the access token belongs to."""
        grant = self.tokens.get(token)
        if grant is None:
            raise SlackError("invalid_auth")
        return {"ok": True, **self._claims(grant)}

    def _claims(self, grant: Grant) -> dict[str, Any]:
        user = self.emu.users[grant.user_id]
        given, _, family = user.real_name.partition(" ")
        return {
            "sub": user.id,
            "https://slack.com/user_id": user.id,
            "https://slack.com/team_id": grant.team_id,
            "email": user.email,
            "email_verified": True,
            "name": user.real_name,
            "given_name": given,
            "family_name": family,
            "locale": "en-US",
            "https://slack.com/team_name": self.emu.team_name if grant.team_id == self.emu.team_id else "Elsewhere",
            "https://slack.com/team_domain": self.emu.team_domain if grant.team_id == self.emu.team_id else "elsewhere",
        }

    def _id_token(self, grant: Grant) -> str:
        now = int(self.emu.now())
        claims = {
            "iss": ISSUER,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 3600,
            "auth_time": now,
            **({"nonce": grant.nonce} if grant.nonce else {}),
            **self._claims(grant),
        }
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        body = _b64(json.dumps(claims).encode())
        signature = hmac.new(self.client_secret.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
        return f"{header}.{body}.{_b64(signature)}"


def basic_credentials(authorization: str) -> dict[str, str]:
    """client_id and client_secret from an `Authorization: Basic` header (how slack_sdk sends them)."""
    if not authorization.lower().startswith("basic "):
        return {}
    try:
        decoded = base64.b64decode(authorization[6:].strip()).decode()
    except (ValueError, UnicodeDecodeError):
        return {}
    client_id, sep, secret = decoded.partition(":")
    return {"client_id": client_id, "client_secret": secret} if sep else {}
