"""Who may see the web view: nobody (off), anyone who reaches it (open), or people signed in with Slack."""

from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from firebell.api.web.rendering import render
from firebell.api.web.sessions import SESSION_COOKIE, CookieSigner, SignedIn
from firebell.api.web.slack_signin import SlackSignIn

OFF_MESSAGE = (
    "The internal web view is off. To turn it on, set FIREBELL_WEB_VIEW=slack (Sign in with Slack, limited to "
    "your workspace: also set FIREBELL_SLACK_CLIENT_ID, FIREBELL_SLACK_CLIENT_SECRET, FIREBELL_WEB_SESSION_SECRET "
    "and FIREBELL_WEB_BASE_URL), or FIREBELL_WEB_VIEW=open on a trusted network only (no sign-in). See the README, "
    "section Internal web view."
)


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a signed-in person, or nobody in particular when the view is open."""

    person: SignedIn | None
    open_view: bool


@dataclass(frozen=True)
class WebAccess:
    """The web view's mode and what it needs to check sessions."""

    mode: str  # off | open | slack
    signer: CookieSigner | None = None
    signin: SlackSignIn | None = None
    secure_cookies: bool = False

    def off_page(self) -> Response:
        """What every web view URL answers while it is off: 404, and how to turn it on."""
        return render("message.html", status=404, title="Not found", lines=[OFF_MESSAGE], viewer=None)

    def viewer(self, request: Request) -> Viewer | Response:
        """Who may see this page, or the answer for someone who may not (off: 404; not signed in: to sign-in)."""
        if self.mode == "open":
            return Viewer(person=None, open_view=True)
        if self.mode != "slack" or self.signer is None:
            return self.off_page()
        person = self.signer.read_session(request.cookies.get(SESSION_COOKIE))
        if person is not None and self.signin is not None and person.team_id != self.signin.workspace():
            person = None  # signed in while another workspace was configured: sign in again
        if person is None:
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/auth/slack/login?next={quote(here, safe='')}", status_code=303)
        return Viewer(person=person, open_view=False)
