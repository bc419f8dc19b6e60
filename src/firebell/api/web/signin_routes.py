"""Signing in to the web view with Slack, and out: `/auth/slack/login`, `/auth/slack/callback`, `/auth/logout`."""

import logging

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from firebell.api.web.access import WebAccess
from firebell.api.web.headers import SecuredRoute
from firebell.api.web.rendering import render
from firebell.api.web.sessions import SESSION_COOKIE, SESSION_PATH, STATE_COOKIE, STATE_PATH
from firebell.api.web.slack_signin import SignInRefused

log = logging.getLogger(__name__)

MAX_NEXT = 2000


def _safe_next(value: str | None) -> str:
    """Where to go after signing in: a page of the web view only (never another site)."""
    if not value or len(value) > MAX_NEXT or "\\" in value or not value.startswith(SESSION_PATH):
        return SESSION_PATH
    rest = value[len(SESSION_PATH) :]
    return value if rest == "" or rest[0] in "/?" else SESSION_PATH


def signin_router(access: WebAccess) -> APIRouter:
    """Sign in with Slack (OpenID Connect) and sign out."""
    router = APIRouter(route_class=SecuredRoute, include_in_schema=False)

    def not_here() -> Response:
        if access.mode == "open":
            lines = ["Sign-in is off: FIREBELL_WEB_VIEW=open shows the web view without it.", "Incidents: /incidents"]
            return render("message.html", status=404, title="Not found", lines=lines, viewer=None)
        return access.off_page()

    def refused(message: str, status: int) -> Response:
        lines = [message, "Sign in again: /auth/slack/login"]
        response = render("message.html", status=status, title="Sign-in refused", lines=lines, viewer=None)
        response.delete_cookie(STATE_COOKIE, path=STATE_PATH, secure=access.secure_cookies, httponly=True)
        return response

    @router.get("/auth/slack/login")
    def login(next: str | None = None) -> Response:
        if access.mode != "slack" or access.signer is None or access.signin is None:
            return not_here()
        pending = access.signer.start_sign_in(_safe_next(next))
        response = RedirectResponse(access.signin.authorize_url(pending), status_code=303)
        response.set_cookie(
            STATE_COOKIE,
            pending.binding,
            max_age=access.signer.max_state_age,
            path=STATE_PATH,
            httponly=True,
            samesite="lax",
            secure=access.secure_cookies,
        )
        return response

    @router.get("/auth/slack/callback")
    def callback(
        request: Request, code: str | None = None, state: str | None = None, error: str | None = None
    ) -> Response:
        if access.mode != "slack" or access.signer is None or access.signin is None:
            return not_here()
        pending = access.signer.check_state(state, request.cookies.get(STATE_COOKIE))
        if isinstance(pending, str):
            log.info("Sign in with Slack refused: %s", pending)
            return refused(pending, 400)
        if error or not code:
            shown = (error or "no code")[:60]
            return refused(f"Slack did not sign you in ({shown}).", 400)
        try:
            person = access.signin.finish(code[:1000], pending)
        except SignInRefused as exc:
            return refused(exc.message, exc.status)
        log.info("signed in to the web view: %s (%s)", person.user_id, person.team_id)
        response = RedirectResponse(pending.next_path, status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            access.signer.session(person),
            max_age=access.signer.max_session_age,
            path=SESSION_PATH,
            httponly=True,
            samesite="lax",
            secure=access.secure_cookies,
        )
        response.delete_cookie(STATE_COOKIE, path=STATE_PATH, secure=access.secure_cookies, httponly=True)
        return response

    @router.get("/auth/logout")
    def logout() -> Response:
        if access.mode != "slack":
            return not_here()
        lines = ["You are signed out of Firebell's web view.", "Sign in again: /auth/slack/login"]
        response = render("message.html", title="Signed out", lines=lines, viewer=None)
        response.delete_cookie(
            SESSION_COOKIE, path=SESSION_PATH, secure=access.secure_cookies, httponly=True, samesite="lax"
        )
        return response

    return router
