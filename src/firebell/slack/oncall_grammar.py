"""The `/oncall` command language: parse the text Slack sends into a typed command.

Only the shape is checked here; names (schedules, services) and times are read by the listener, which knows
the policy, the schedule's time zone and the time.
"""

import re
from dataclasses import dataclass

from firebell.domain.errors import UsageError
from firebell.domain.oncall.typed_times import is_length, take_moment
from firebell.slack.mrkdwn import plain_from_slack, truncate, user_id_from_mention


@dataclass(frozen=True)
class OncallHelp:
    """Every subcommand."""


@dataclass(frozen=True)
class Board:
    """Every schedule: who is on call now and until when, and who is next."""


@dataclass(frozen=True)
class Mine:
    """The caller's next shifts across schedules."""


@dataclass(frozen=True)
class ShowSchedule:
    """One schedule's next 14 days, shift by shift."""

    schedule: str


@dataclass(frozen=True)
class AddOverride:
    """Put someone on call for a schedule over a window."""

    schedule: str
    user_id: str
    start: str
    end: str


@dataclass(frozen=True)
class Cover:
    """The caller takes the schedule from now: for `length`, or until the current shift ends."""

    schedule: str
    length: str | None


@dataclass(frozen=True)
class ListOverrides:
    """A schedule's overrides that have not ended, with their ids."""

    schedule: str


@dataclass(frozen=True)
class RemoveOverride:
    """Remove an override by id."""

    schedule: str
    override_id: int


@dataclass(frozen=True)
class AddTemporary:
    """Replace a schedule's rotation over a window: these people together, or in turns of `every`."""

    schedule: str
    start: str
    end: str
    user_ids: tuple[str, ...]
    every: str | None


@dataclass(frozen=True)
class ListTemporaries:
    """A schedule's temporary schedules that have not ended."""

    schedule: str


@dataclass(frozen=True)
class RemoveTemporary:
    """Remove a temporary schedule by id."""

    schedule: str
    temporary_id: int


@dataclass(frozen=True)
class ShowMaintenance:
    """Maintenance windows that have not ended: of one service, or of all."""

    service: str | None


@dataclass(frozen=True)
class StartMaintenance:
    """Put a service in maintenance over a window (start `now` and a length, or a start and an end)."""

    service: str
    start: str
    end: str


@dataclass(frozen=True)
class EndMaintenance:
    """End a service's maintenance now (and call off planned windows)."""

    service: str


OncallCommand = (
    OncallHelp
    | Board
    | Mine
    | ShowSchedule
    | AddOverride
    | Cover
    | ListOverrides
    | RemoveOverride
    | AddTemporary
    | ListTemporaries
    | RemoveTemporary
    | ShowMaintenance
    | StartMaintenance
    | EndMaintenance
)

# (syntax, what it does), in the order help lists them.
USAGE: tuple[tuple[str, str], ...] = (
    ("", "every schedule: who is on call now and until when, and who is next"),
    ("<schedule>", "the next 14 days of a schedule, shift by shift (overrides and temporary schedules marked)"),
    ("show <schedule>", "the same, for a schedule named like a subcommand (`/oncall show me`)"),
    ("me", "your shifts in the next 30 days, and whether you are on call now"),
    ("override <schedule> @user <from> <to>", "put someone on call instead of the rotation (`<to>` may be 4h)"),
    ("cover <schedule> [for 4h]", "take the shift yourself from now (default: until the current shift ends)"),
    ("overrides <schedule>", "a schedule's overrides, with their ids"),
    ("remove <schedule> <id>", "remove an override"),
    (
        "temporary <schedule> <from> <to> @a [@b …] [every 1d]",
        "replace the rotation for a window (holidays, launch week): everyone together, or in turns",
    ),
    ("temporaries <schedule>", "a schedule's temporary schedules, with their ids"),
    ("temporary <schedule> remove <id>", "remove a temporary schedule"),
    ("maintenance <service> <length>|<from> <to>", "page nobody for a service for a while, e.g. `checkout 2h`"),
    ("maintenance [<service>]", "maintenance windows that have not ended"),
    ("maintenance <service> end", "end a service's maintenance now"),
    ("help", "this list"),
)

_TOKEN = re.compile(r"<[^<>]*>|\S+")
_MAX_NAME = 80
_SUBCOMMANDS = (
    "help",
    "me",
    "show",
    "override",
    "cover",
    "overrides",
    "remove",
    "temporary",
    "temporaries",
    "maintenance",
)


def syntax(subcommand: str) -> str:
    """`/oncall override <schedule> @user <from> <to>`, as help shows it."""
    found = next((s for s, _ in USAGE if s.split(" ", 1)[0] == subcommand), subcommand)
    return f"`/oncall {found}`".replace("`/oncall `", "`/oncall`")


def _name(tokens: list[str], what: str, subcommand: str) -> str:
    if not tokens:
        raise UsageError(f"`{subcommand}` needs a {what} name. Use {syntax(subcommand)}.")
    word = plain_from_slack(tokens.pop(0))
    if user_id_from_mention(word) is not None or word.startswith("@"):
        raise UsageError(f"Name the {what} first, then the person. Use {syntax(subcommand)}.")
    return truncate(word, _MAX_NAME)


def _ident(tokens: list[str], what: str, subcommand: str) -> int:
    raw = tokens[0] if tokens else ""
    text = raw.lstrip("#")
    if not text.isdigit() or len(text) > 12 or len(tokens) != 1:
        shown = truncate(plain_from_slack(" ".join(tokens)), 40) or "nothing"
        raise UsageError(f"`{subcommand}` needs the {what} id (a number), got `{shown}`. Use {syntax(subcommand)}.")
    return int(text)


def _user(token: str, subcommand: str) -> str:
    user_id = user_id_from_mention(token)
    if user_id is None:
        shown = truncate(plain_from_slack(token), 40)
        raise UsageError(f"`{shown}` is not a user mention: pick someone with Slack's @. Use {syntax(subcommand)}.")
    return user_id


def _window(tokens: list[str], subcommand: str) -> tuple[str, str, list[str]]:
    """A start and an end (or a length) at the front of `tokens`; what is left."""
    start, rest = take_moment(tokens)
    end, rest = take_moment(rest)
    if not start or not end:
        raise UsageError(f"`{subcommand}` needs when it starts and when it ends. Use {syntax(subcommand)}.")
    return start, end, rest


def parse_oncall(text: str) -> OncallCommand:  # noqa: PLR0911, PLR0912 (one branch per subcommand)
    """Parse the text after `/oncall`; UsageError naming what is wrong and the valid form otherwise."""
    tokens = _TOKEN.findall(text)
    if not tokens:
        return Board()
    word = tokens.pop(0).lower()
    if word not in _SUBCOMMANDS:
        if tokens:
            shown = truncate(plain_from_slack(word), 40)
            raise UsageError(
                f"`{shown}` is not an /oncall subcommand: try "
                + ", ".join(f"`{s}`" for s in _SUBCOMMANDS)
                + " (see `/oncall help`), or `/oncall <schedule>` alone to see a schedule."
            )
        return ShowSchedule(schedule=truncate(plain_from_slack(word), _MAX_NAME))
    match word:
        case "help":
            return OncallHelp()
        case "me":
            return Mine()
        case "show":
            name = _name(tokens, "schedule", word)
            if tokens:
                raise UsageError(f"`show` takes only a schedule name. Use {syntax(word)}.")
            return ShowSchedule(schedule=name)
        case "overrides" | "temporaries":
            name = _name(tokens, "schedule", word)
            if tokens:
                raise UsageError(f"`{word}` takes only a schedule name. Use {syntax(word)}.")
            return ListOverrides(name) if word == "overrides" else ListTemporaries(name)
        case "remove":
            name = _name(tokens, "schedule", word)
            return RemoveOverride(name, _ident(tokens, "override", word))
        case "cover":
            name = _name(tokens, "schedule", word)
            if tokens and tokens[0].lower() == "for":
                tokens.pop(0)
            if len(tokens) > 1 or (tokens and not is_length(tokens[0])):
                shown = truncate(plain_from_slack(" ".join(tokens)), 40)
                raise UsageError(f"`cover` takes an optional length like `for 4h`, got `{shown}`. Use {syntax(word)}.")
            return Cover(name, tokens[0] if tokens else None)
        case "override":
            name = _name(tokens, "schedule", word)
            if not tokens:
                raise UsageError(f"`override` needs who and when. Use {syntax(word)}.")
            user = _user(tokens.pop(0), word)
            start, end, rest = _window(tokens, word)
            if rest:
                raise UsageError(f"Unexpected `{truncate(plain_from_slack(' '.join(rest)), 40)}`. Use {syntax(word)}.")
            return AddOverride(name, user, start, end)
        case "temporary":
            return _temporary(tokens)
        case _:
            return _maintenance(tokens)


def _temporary(tokens: list[str]) -> AddTemporary | RemoveTemporary:
    name = _name(tokens, "schedule", "temporary")
    if tokens and tokens[0].lower() == "remove":
        tokens.pop(0)
        return RemoveTemporary(name, _ident(tokens, "temporary schedule", "temporary"))
    start, end, rest = _window(tokens, "temporary")
    every = None
    if len(rest) >= 2 and rest[-2].lower() == "every":
        every = rest[-1]
        rest = rest[:-2]
    users = tuple(_user(t, "temporary") for t in rest)
    if not users:
        raise UsageError(f"Say who is on call in the temporary schedule: mention them. Use {syntax('temporary')}.")
    return AddTemporary(name, start, end, users, every)


def _maintenance(tokens: list[str]) -> ShowMaintenance | StartMaintenance | EndMaintenance:
    if not tokens:
        return ShowMaintenance(None)
    name = _name(tokens, "service", "maintenance")
    if not tokens:
        return ShowMaintenance(name)
    if len(tokens) == 1 and tokens[0].lower() in ("end", "stop", "off", "done"):
        return EndMaintenance(name)
    if len(tokens) <= 2 and is_length(tokens[-1]) and (len(tokens) == 1 or tokens[0].lower() == "for"):
        return StartMaintenance(name, "now", tokens[-1])
    start, end, rest = _window(tokens, "maintenance")
    if rest:
        shown = truncate(plain_from_slack(" ".join(rest)), 40)
        raise UsageError(f"Unexpected `{shown}`. Use {syntax('maintenance')}.")
    return StartMaintenance(name, start, end)
