"""openid.connect.token and openid.connect.userInfo: Sign in with Slack's two Web API methods."""

from __future__ import annotations

from typing import Any

from .registry import Ctx, handler


@handler("openid.connect.token")
def openid_connect_token(ctx: Ctx) -> dict[str, Any]:
    """Exchange a sign-in code for an access token and an ID token (client credentials, no token)."""
    args = {name: ctx.args.text(name) for name in ("client_id", "client_secret", "code", "redirect_uri", "grant_type")}
    return ctx.emu.oidc.exchange(args)


@handler("openid.connect.userInfo")
def openid_connect_user_info(ctx: Ctx) -> dict[str, Any]:
    """Who signed in (the user token was checked when the call was authenticated)."""
    return ctx.emu.oidc.user_info(ctx.args.text("token"))
