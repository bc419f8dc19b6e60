"""The `/incident` command language: parse the text Slack sends into a typed command."""

import difflib
import re
from dataclasses import dataclass

from firebell.domain.errors import UsageError
from firebell.domain.incident_times import TimeField, field_named
from firebell.domain.policy import Policy
from firebell.slack.declare_grammar import Declare, parse_declare
from firebell.slack.maintenance_grammar import MaintenanceCommand, parse_maintenance
from firebell.slack.mrkdwn import plain_from_slack, truncate, user_id_from_mention
from firebell.slack.page_grammar import PAGE_ALIASES, PAGE_WORDS, PageCommand, parse_page_command


@dataclass(frozen=True)
class Help:
    """List every subcommand."""


@dataclass(frozen=True)
class ListOpen:
    """List open incidents."""


@dataclass(frozen=True)
class Handover:
    """Hand command to another responder."""

    user_id: str


@dataclass(frozen=True)
class AssignRole:
    """Give a configured role to a responder."""

    role: str
    user_id: str


@dataclass(frozen=True)
class ChangeSeverity:
    """Raise or lower the severity."""

    severity: str


@dataclass(frozen=True)
class PostUpdate:
    """Post a stakeholder status update."""

    text: str


@dataclass(frozen=True)
class AddNote:
    """Add a note to the timeline only."""

    text: str


@dataclass(frozen=True)
class Mitigate:
    """Customer impact has stopped."""

    text: str | None


@dataclass(frozen=True)
class Resolve:
    """The incident is over."""

    text: str | None


@dataclass(frozen=True)
class Reopen:
    """The problem is back: take a resolved incident back to investigating."""

    text: str | None


@dataclass(frozen=True)
class AddAction:
    """Record an action item; the due text is read by the use case, which knows today's date."""

    text: str
    owner: str | None
    due: str | None


@dataclass(frozen=True)
class ListActions:
    """This incident's action items, or (mine) the caller's open ones across incidents."""

    mine: bool


@dataclass(frozen=True)
class RegeneratePostmortem:
    """Draft the postmortem again from the current timeline and post it."""


@dataclass(frozen=True)
class CloseReview:
    """The review is done: close the incident."""


@dataclass(frozen=True)
class FindRunbook:
    """Runbooks for this incident (no query) or for what was typed."""

    query: str | None


@dataclass(frozen=True)
class ShowStatus:
    """Show a summary to the caller only."""


@dataclass(frozen=True)
class Times:
    """Show the key times (no field), or set one: `impact` or `detected`, at `when` (read by the use case)."""

    field: TimeField | None = None
    when: str | None = None


@dataclass(frozen=True)
class StatusPage:
    """Open the public update form (the status page's update, approved by the IC)."""


@dataclass(frozen=True)
class ShowTimeline:
    """Show recent timeline events to the caller only."""


Command = (
    Help
    | Declare
    | ListOpen
    | Handover
    | AssignRole
    | ChangeSeverity
    | PostUpdate
    | AddNote
    | Mitigate
    | Resolve
    | Reopen
    | ShowStatus
    | ShowTimeline
    | AddAction
    | ListActions
    | RegeneratePostmortem
    | CloseReview
    | FindRunbook
    | Times
    | StatusPage
    | PageCommand
    | MaintenanceCommand
)


@dataclass(frozen=True)
class Usage:
    """One line of help: the syntax, what it does, and whether it only works in a war room."""

    syntax: str
    summary: str
    in_incident_channel: bool


USAGE: tuple[Usage, ...] = (
    Usage(
        "declare [sev1|sev2|sev3|sev4] <title> [--detected 14:02|20m ago] [--service <name>]",
        "Declare an incident (no title opens a form); --detected: when it was noticed (UTC); "
        "--service: the service affected (its on-call is paged)",
        False,
    ),
    Usage("list", "List open incidents", False),
    Usage("help", "Show this help", False),
    Usage("ic @user", "Hand incident command to someone", True),
    Usage("role <role> @user", "Assign a role (e.g. deputy, scribe, comms, ops)", True),
    Usage("sev <1-4|sevN>", "Change the severity", True),
    Usage("update <text>", "Post a status update here and to stakeholders", True),
    Usage("note <text>", "Add a note to the timeline", True),
    Usage("mitigate [text]", "Customer impact has stopped", True),
    Usage("resolve [text]", "The incident is over", True),
    Usage("reopen [text]", "The problem is back (resolved or mitigated -> investigating)", True),
    Usage("status", "Show this incident's summary (only you see it)", True),
    Usage("timeline", "Show recent timeline events (only you see it)", True),
    Usage("times", "Show impact start, detection, declare, mitigate, resolve and time to detect/declare", True),
    Usage(
        "times impact|detected <13:50|20m ago|2026-12-07 13:50>", "Set when impact began or was detected (UTC)", True
    ),
    Usage("action <text> [@owner] [due YYYY-MM-DD|in 3d|in 2w]", "Add an action item", True),
    Usage("actions", "List this incident's action items", True),
    Usage("actions mine", "List your open action items, across incidents", False),
    Usage("runbook [query]", "Find a runbook (for this incident, or the query) and post it as a checklist", True),
    Usage("page <service|schedule|@user> [message]", "Page someone to this incident (a DM they acknowledge)", True),
    Usage("ack", "Acknowledge this incident's page: its escalation stops", True),
    Usage("escalate", "Page the next step of this incident's escalation now", True),
    Usage(
        "statuspage",
        "Write a public update for the status page (a form); the Incident Commander publishes it",
        True,
    ),
    Usage(
        "maintenance <components> <from> <to> <text>",
        "Schedule status-page maintenance (components comma-separated; times as /oncall takes them, in the status "
        "page's time zone; <to> may be a length like 2h)",
        False,
    ),
    Usage("maintenance [all]", "List status-page maintenance not yet over (all: also past), with ids", False),
    Usage("maintenance cancel <id>", "Call off a scheduled maintenance, or end one in progress now", False),
    Usage("postmortem", "Draft the postmortem again from the timeline and post it", True),
    Usage("close", "The review is done: close the incident", True),
)

_ALIASES = {
    "new": "declare",
    "handover": "ic",
    "commander": "ic",
    "severity": "sev",
    "ls": "list",
    "open": "list",
    "mitigated": "mitigate",
    "resolved": "resolve",
    "ai": "action",
    "todo": "action",
    "pm": "postmortem",
    "runbooks": "runbook",
    "rb": "runbook",
    "time": "times",
    "mttd": "times",
    "status-page": "statuspage",
    "public": "statuspage",
    **PAGE_ALIASES,
}

# `due <date>` at the end of an action: a single token, or "in N d/w" ("due to a timeout" is not one).
_DUE_CLAUSE = re.compile(r"\s+due\s+(in\s*\d+\s*[a-z]*|\S+)\s*$", re.IGNORECASE)
_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def syntax_of(name: str) -> str:
    """The usage line of a subcommand, for error messages."""
    for usage in USAGE:
        if usage.syntax.split(" ", 1)[0] == name:
            return f"`/incident {usage.syntax}`"
    raise KeyError(name)


def _free_text(raw: str) -> str | None:
    text = plain_from_slack(raw)
    return text or None


def _require_user(token: str | None, *, what: str) -> str:
    if token is None:
        raise UsageError(f"`{what}` needs a user mention. Use {syntax_of(what)}.")
    user_id = user_id_from_mention(token)
    if user_id is None:
        raise UsageError(
            f"`{token}` is not a user mention. Pick someone from Slack's @ autocomplete: {syntax_of(what)}."
        )
    return user_id


def _action(rest: str) -> AddAction:
    due = None
    clause = _DUE_CLAUSE.search(rest)
    if clause:
        due = clause.group(1)
        rest = rest[: clause.start()]
    owners = _MENTION.findall(rest)
    if len(owners) > 1:
        raise UsageError(f"An action item has one owner; you named {len(owners)}. Use {syntax_of('action')}.")
    owner = user_id_from_mention(owners[0]) if owners else None
    rest = _MENTION.sub(" ", rest)
    stray = next((word for word in rest.split() if word.startswith("@") and len(word) > 1), None)
    if stray is not None:
        raise UsageError(
            f"`{stray}` isn't a Slack mention, so Firebell can't tell who owns this. "
            f"Pick the owner from the @ autocomplete: {syntax_of('action')}."
        )
    text = _free_text(rest)
    if text is None:
        raise UsageError(f"`action` needs a description of what to do: {syntax_of('action')}.")
    return AddAction(text=text, owner=owner, due=due)


def _times(args: list[str]) -> Times:
    if not args:
        return Times()
    field = field_named(args[0])
    if len(args) == 1:
        raise UsageError(f"Say when: `/incident times {field.value} 13:50` (UTC), `20m ago` or `2026-12-07 13:50`.")
    return Times(field=field, when=" ".join(args[1:]))


def parse_command(text: str, policy: Policy) -> Command:  # noqa: PLR0911, PLR0912 (one branch per subcommand)
    """Parse `/incident` text into a command; raise UsageError naming what was wrong and the valid form."""
    stripped = text.strip()
    if not stripped:
        return Help()
    word, _, rest = stripped.partition(" ")
    name = _ALIASES.get(word.lower(), word.lower())
    rest = rest.strip()
    args = rest.split()
    if name == "help":
        return Help()
    if name == "declare":
        return parse_declare(rest, policy)
    if name == "list":
        return ListOpen()
    if name == "ic":
        return Handover(user_id=_require_user(args[0] if args else None, what="ic"))
    if name == "role":
        if not args:
            raise UsageError(f"`role` needs a role and a user: {syntax_of('role')}. Roles: {', '.join(policy.roles)}.")
        role = policy.role(args[0])
        return AssignRole(role=role, user_id=_require_user(args[1] if len(args) > 1 else None, what="role"))
    if name == "sev":
        if not args:
            raise UsageError(f"`sev` needs a severity: {syntax_of('sev')}. Valid: {', '.join(policy.severity_names)}.")
        return ChangeSeverity(severity=policy.severity(args[0]).name)
    if name in ("update", "note"):
        body = _free_text(rest)
        if body is None:
            raise UsageError(f"`{name}` needs some text: {syntax_of(name)}.")
        return PostUpdate(text=body) if name == "update" else AddNote(text=body)
    if name == "mitigate":
        return Mitigate(text=_free_text(rest))
    if name == "resolve":
        return Resolve(text=_free_text(rest))
    if name == "reopen":
        return Reopen(text=_free_text(rest))
    if name == "action":
        return _action(rest)
    if name == "actions":
        if args and args[0].lower() not in ("mine", "me"):
            raise UsageError("Use `/incident actions` (this incident) or `/incident actions mine` (yours).")
        return ListActions(mine=bool(args))
    if name == "postmortem":
        return RegeneratePostmortem()
    if name == "runbook":
        return FindRunbook(query=_free_text(rest))
    if name == "close":
        return CloseReview()
    if name == "status":
        return ShowStatus()
    if name == "timeline":
        return ShowTimeline()
    if name == "times":
        return _times(args)
    if name == "statuspage":
        if args:
            raise UsageError("`statuspage` takes nothing after it: it opens a form. Use `/incident statuspage`.")
        return StatusPage()
    if name in PAGE_WORDS:
        return parse_page_command(name, rest)
    if name == "maintenance":
        return parse_maintenance(rest)
    raise UsageError(_unknown(word, rest, policy))


def _names() -> list[str]:
    return sorted({usage.syntax.split(" ", 1)[0] for usage in USAGE})


MAX_SUGGESTED_WORD = 24
# A subcommand run into its argument: `sev9`, `sev-1`, `ic<@U1>`.
_GLUED = re.compile(r"^[-_:=]?(\d|<@)")


def suggest(word: str, rest: str = "") -> str | None:
    """The command most likely meant by an unknown subcommand `word` (followed by `rest`), or None."""
    lowered = word.lower()
    if len(lowered) > MAX_SUGGESTED_WORD:  # no subcommand is that long: nothing near it to suggest
        return None
    for name in sorted([*_names(), *_ALIASES], key=len, reverse=True):
        remainder = lowered[len(name) :] if lowered.startswith(name) else ""
        if remainder and _GLUED.match(remainder):
            canonical = _ALIASES.get(name, name)
            return " ".join(part for part in (canonical, word[len(name) :].lstrip("-_:="), rest) if part)
    close = difflib.get_close_matches(lowered, [*_names(), *_ALIASES], n=1, cutoff=0.7)
    if not close:
        return None
    return " ".join(part for part in (_ALIASES.get(close[0], close[0]), rest) if part)


def _unknown(word: str, rest: str, policy: Policy) -> str:
    message = f"Unknown subcommand `{truncate(word, MAX_SUGGESTED_WORD)}`."
    guess = suggest(word, truncate(rest, 60))
    if guess is None:
        return f"{message} Valid subcommands: {', '.join(_names())}. Try `/incident help`."
    try:
        parse_command(guess, policy)
    except UsageError as exc:  # the nearest command is malformed too: say what it would need
        return f"{message} Did you mean `/incident {guess}`? That would not work either: {exc.message}"
    return f"{message} Did you mean `/incident {guess}`?"
