"""The web view's routes, as the settings ask for them: off (404 everywhere), open (a warning), or Sign in with Slack."""

import logging

from fastapi import APIRouter

from firebell.api.web.access import WebAccess
from firebell.api.web.pages import pages_router
from firebell.api.web.sessions import CookieSigner
from firebell.api.web.signin_routes import signin_router
from firebell.api.web.slack_signin import SlackSignIn
from firebell.domain.errors import PolicyError
from firebell.runtime import Runtime

log = logging.getLogger(__name__)


def web_access(runtime: Runtime) -> WebAccess:
    """The access rules FIREBELL_WEB_VIEW and its settings give (PolicyError naming what `slack` lacks)."""
    settings = runtime.settings
    mode = settings.firebell_web_view
    if mode == "open":
        log.warning(
            "FIREBELL_WEB_VIEW=open: the internal web view (/incidents) shows every incident to ANYONE who can "
            "reach this service, without signing in. Use it only on a trusted network; set FIREBELL_WEB_VIEW=slack "
            "for Sign in with Slack."
        )
        return WebAccess(mode="open")
    if mode != "slack":
        return WebAccess(mode="off")
    if problem := settings.web_view_problem():
        raise PolicyError(problem)
    assert settings.firebell_web_session_secret is not None and settings.firebell_slack_client_secret is not None
    assert settings.firebell_slack_client_id is not None and settings.firebell_web_base_url is not None
    team = settings.firebell_slack_team_id

    def workspace() -> str | None:
        if team is not None:
            return team
        identity = runtime.directory.identity()
        found = identity.get("team_id") if identity else None
        return str(found) if found else None

    signin = SlackSignIn(
        client_id=settings.firebell_slack_client_id,
        client_secret=settings.firebell_slack_client_secret.get_secret_value(),
        base_url=settings.firebell_web_base_url,
        api_url=settings.slack_api_url,
        workspace=workspace,
    )
    signer = CookieSigner(settings.firebell_web_session_secret.get_secret_value(), runtime.ctx.clock)
    secure = settings.firebell_web_base_url.startswith("https://")
    log.info("internal web view: /incidents, Sign in with Slack (redirect URL %s)", signin.redirect_uri)
    return WebAccess(mode="slack", signer=signer, signin=signin, secure_cookies=secure)


def web_router(runtime: Runtime) -> APIRouter:
    """`/incidents`, `/incidents/{number}`, `/auth/slack/login`, `/auth/slack/callback` and `/auth/logout`."""
    access = web_access(runtime)
    router = APIRouter(include_in_schema=False)
    router.include_router(pages_router(runtime.ctx, access))
    router.include_router(signin_router(access))
    return router
