"""`/incident page <service|schedule|@user> [message]`, `/incident ack` and `/incident escalate`: paging's part of
the command language (the war room's incident is the one paged)."""

from dataclasses import dataclass

from firebell.domain.errors import UsageError
from firebell.slack.mrkdwn import plain_from_slack, truncate, user_id_from_mention

PAGE_SYNTAX = "`/incident page <service|schedule|@user> [message]`"
MAX_MESSAGE = 500


@dataclass(frozen=True)
class PageSomeone:
    """Page a service's on-call, a schedule, an escalation policy or a person (`target`: a name or a user id)."""

    target: str
    message: str | None = None


@dataclass(frozen=True)
class AckPage:
    """Acknowledge this incident's page: its escalation stops."""


@dataclass(frozen=True)
class EscalatePage:
    """Page the next step of this incident's escalation now."""


PageCommand = PageSomeone | AckPage | EscalatePage
PAGE_WORDS = frozenset({"page", "ack", "escalate"})
PAGE_ALIASES = {"acknowledge": "ack", "esc": "escalate"}


def _target(token: str) -> str:
    if token.startswith("<@"):
        user = user_id_from_mention(token)
        if user is None:
            raise UsageError(f"`{truncate(token, 40)}` is not a user mention; pick someone from the @ autocomplete.")
        return user
    if token.startswith("@"):
        raise UsageError(
            f"`{truncate(token, 40)}` isn't a Slack mention, so Firebell can't tell who to page. Pick them from the "
            f"@ autocomplete, or name a service or schedule: {PAGE_SYNTAX}."
        )
    if token.startswith(("<#", "<!")):
        raise UsageError(f"Page a service, a schedule or a person, not a channel or a group: {PAGE_SYNTAX}.")
    return token.lower()


def parse_page_command(name: str, rest: str) -> PageCommand:
    """Parse `page`, `ack` or `escalate` and what follows; UsageError naming what was wrong and the valid form."""
    if name == "ack":
        return AckPage()
    if name == "escalate":
        return EscalatePage()
    token, _, message = rest.strip().partition(" ")
    if not token:
        raise UsageError(f"`page` needs someone to page: {PAGE_SYNTAX}.")
    text = plain_from_slack(message) or None
    if text is not None and len(text) > MAX_MESSAGE:
        raise UsageError(f"The message is {len(text)} characters; keep it under {MAX_MESSAGE}.")
    return PageSomeone(target=_target(token), message=text)
