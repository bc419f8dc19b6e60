"""Sign in with Slack (OpenID Connect): the authorize URL, the code exchange, and who signed in, from which workspace."""

import base64
import binascii
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from firebell.api.web.sessions import PendingSignIn, SignedIn

log = logging.getLogger(__name__)

SCOPES = "openid profile email"
ISSUER = "https://slack.com"
TEAM_CLAIM = "https://slack.com/team_id"
USER_CLAIM = "https://slack.com/user_id"
CALLBACK_PATH = "/auth/slack/callback"


class SignInRefused(Exception):
    """The sign-in cannot go on; the message says why, in words for the person signing in (no secrets)."""

    def __init__(self, message: str, *, status: int = 403) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def slack_site(api_url: str) -> str:
    """Slack's site for an API base URL: `https://slack.com/api/` -> `https://slack.com` (the emulator's likewise)."""
    base = api_url.rstrip("/")
    return base.removesuffix("/api")


def id_token_claims(id_token: str) -> dict[str, Any]:
    """The claims of an ID token. Its signature is not checked: the token came straight from Slack's token
    endpoint over TLS, which OpenID Connect Core (3.1.3.7) accepts in place of the signature."""
    parts = id_token.split(".")
    if len(parts) != 3:
        raise SignInRefused("Slack's answer carried no valid ID token.", status=502)
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except (binascii.Error, ValueError):
        raise SignInRefused("Slack's answer carried no valid ID token.", status=502) from None
    if not isinstance(claims, dict):
        raise SignInRefused("Slack's answer carried no valid ID token.", status=502)
    return claims


@dataclass(frozen=True)
class SlackSignIn:
    """The app's Sign in with Slack credentials, where Slack is, and the one workspace allowed in."""

    client_id: str
    client_secret: str
    base_url: str  # FIREBELL_WEB_BASE_URL: where people reach Firebell
    api_url: str  # SLACK_API_URL
    workspace: Callable[[], str | None]  # FIREBELL_SLACK_TEAM_ID, else the bot token's team (auth.test)

    @property
    def redirect_uri(self) -> str:
        """Where Slack sends people back to (the app's redirect URL in its OAuth settings)."""
        return self.base_url.rstrip("/") + CALLBACK_PATH

    def authorize_url(self, pending: PendingSignIn) -> str:
        """Slack's authorize URL for this sign-in, hinting at our workspace."""
        query = {
            "response_type": "code",
            "scope": SCOPES,
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "state": pending.state,
            "nonce": pending.nonce,
        }
        team = self.workspace()
        if team:
            query["team"] = team
        return f"{slack_site(self.api_url)}/openid/connect/authorize?{urlencode(query)}"

    def finish(self, code: str, pending: PendingSignIn) -> SignedIn:
        """Exchange the code, read who signed in, and let them in only from our workspace."""
        client = WebClient(base_url=self._api_base, timeout=10, retry_handlers=[])
        try:
            tokens = client.openid_connect_token(
                client_id=self.client_id,
                client_secret=self.client_secret,
                code=code,
                redirect_uri=self.redirect_uri,
                grant_type="authorization_code",
            )
            access_token, id_token = tokens.get("access_token"), tokens.get("id_token")
            if not isinstance(access_token, str) or not isinstance(id_token, str):
                raise SignInRefused("Slack's answer carried no access token or ID token.", status=502)
            claims = id_token_claims(id_token)
            info = WebClient(token=access_token, base_url=self._api_base, timeout=10, retry_handlers=[])
            user = info.openid_connect_userInfo().data
        except SlackApiError as exc:
            error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
            log.info("Sign in with Slack refused by Slack: %s", error or exc.response.status_code)
            raise SignInRefused(
                f"Slack refused the sign-in ({error or 'no reason given'}). Try signing in again."
            ) from None
        except OSError as exc:
            log.warning("Sign in with Slack: Slack could not be reached (%s)", type(exc).__name__)
            raise SignInRefused(
                "Slack could not be reached to finish the sign-in. Try again shortly.", status=502
            ) from None
        return self._person(claims, user if isinstance(user, dict) else {}, pending)

    @property
    def _api_base(self) -> str:
        return self.api_url if self.api_url.endswith("/") else self.api_url + "/"

    def _person(self, claims: dict[str, Any], user: dict[str, Any], pending: PendingSignIn) -> SignedIn:
        if claims.get("nonce") != pending.nonce:
            raise SignInRefused("The ID token is not for this sign-in (its nonce differs).")
        audience = claims.get("aud")
        if audience != self.client_id and not (isinstance(audience, list) and self.client_id in audience):
            raise SignInRefused("The ID token was issued to another app.")
        if claims.get("iss") != ISSUER:
            raise SignInRefused("The ID token was not issued by Slack.")
        user_id, team = user.get(USER_CLAIM) or user.get("sub"), user.get(TEAM_CLAIM)
        if not isinstance(user_id, str) or not isinstance(team, str):
            raise SignInRefused("Slack did not say who signed in, or from which workspace.", status=502)
        if claims.get(TEAM_CLAIM) != team or claims.get("sub") not in (user_id, user.get("sub")):
            raise SignInRefused("The ID token and Slack's user info disagree about who signed in.")
        workspace = self.workspace()
        if workspace is None:
            raise SignInRefused(
                "Firebell does not know its own Slack workspace yet (auth.test failed); set FIREBELL_SLACK_TEAM_ID.",
                status=503,
            )
        if team != workspace:
            log.info("Sign in with Slack refused: %s is from workspace %s, not %s", user_id, team, workspace)
            raise SignInRefused(
                "You signed in to a different Slack workspace. This Firebell is only for members of its own "
                "workspace: sign in to that one."
            )
        name = user.get("name") or user.get("given_name") or user_id
        return SignedIn(user_id=user_id, name=str(name), team_id=team)
