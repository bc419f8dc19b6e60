"""`/incident maintenance …`: status-page maintenance's part of the command language (works in any channel).

    /incident maintenance <components> <from> <to> <text>    schedule (components comma-separated, by slug or name)
    /incident maintenance [all]                              list (with ids): not yet over, or all
    /incident maintenance cancel <id>                        call it off, or end it early

Times are written as `/oncall` takes them (domain/oncall/typed_times.py), read in the status page's time zone;
`<to>` may be a length like `2h`. Only the shape is checked here; components and times are read by the listener.
"""

import re
from dataclasses import dataclass

from firebell.domain.errors import UsageError
from firebell.domain.oncall.typed_times import LENGTH_FORMS, WHEN_FORMS, is_clock, is_day, take_moment
from firebell.slack.mrkdwn import cut_words, plain_from_slack, truncate

MAINTENANCE_SYNTAX = "`/incident maintenance <components> <from> <to> <text>`"
MAX_TITLE = 100
_TOKEN = re.compile(r"<[^<>]*>|\S+")
_RFC3339_START = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]")
_CANCEL_WORDS = frozenset({"cancel", "end", "stop", "remove", "delete"})
_PUBLIC_ID = re.compile(r"^[a-z0-9]{1,16}$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s|\n")


@dataclass(frozen=True)
class ListMaintenance:
    """Maintenance not yet over (or, with `everything`, all of it), with ids."""

    everything: bool = False


@dataclass(frozen=True)
class ScheduleMaintenance:
    """Put components in maintenance over a window; `title` is the text's first sentence."""

    components: tuple[str, ...]
    start: str
    end: str
    title: str
    text: str


@dataclass(frozen=True)
class CancelMaintenance:
    """Call off a scheduled maintenance, or end one in progress now."""

    public_id: str


MaintenanceCommand = ListMaintenance | ScheduleMaintenance | CancelMaintenance


def _starts_moment(token: str) -> bool:
    lowered = token.lower()
    return lowered in ("now", "from") or is_clock(lowered) or is_day(lowered) or bool(_RFC3339_START.match(token))


def title_of(text: str) -> str:
    """A title from the text: its first sentence or line, cut at a word to MAX_TITLE characters."""
    first = _SENTENCE_END.split(text.strip(), maxsplit=1)[0].strip().rstrip(".")
    return cut_words(" ".join(first.split()), MAX_TITLE)


def parse_maintenance(rest: str) -> MaintenanceCommand:
    """Parse what follows `/incident maintenance`; UsageError naming what is wrong and the valid form."""
    matches = list(_TOKEN.finditer(rest))
    tokens = [m.group(0) for m in matches]
    if not tokens:
        return ListMaintenance()
    first = tokens[0].lower()
    if len(tokens) == 1 and first == "all":
        return ListMaintenance(everything=True)
    if first in _CANCEL_WORDS:
        ident = tokens[1].strip("`").lower() if len(tokens) == 2 else ""
        if not _PUBLIC_ID.match(ident):
            shown = truncate(plain_from_slack(" ".join(tokens[1:])), 40) or "nothing"
            raise UsageError(
                f"`maintenance {first}` needs the maintenance's id (as `/incident maintenance` lists them), got "
                f"`{shown}`. Use `/incident maintenance cancel <id>`."
            )
        return CancelMaintenance(ident)
    split = next((i for i, token in enumerate(tokens) if _starts_moment(token)), len(tokens))
    names = [n.strip() for n in plain_from_slack(" ".join(tokens[:split])).split(",")]
    components = tuple(truncate(n, 80) for n in names if n)
    if not components:
        raise UsageError(f"Name the components first (comma-separated), then when. Use {MAINTENANCE_SYNTAX}.")
    rest_tokens = tokens[split:]
    start, after_start = take_moment(rest_tokens)
    end, after_end = take_moment(after_start)
    if not start or not end:
        raise UsageError(
            f"Say when the maintenance starts and ends: {WHEN_FORMS}; the end may be {LENGTH_FORMS}. "
            f"Use {MAINTENANCE_SYNTAX}."
        )
    if not after_end:
        raise UsageError(f"Say what the maintenance is, for the status page's readers. Use {MAINTENANCE_SYNTAX}.")
    text = plain_from_slack(rest[matches[len(tokens) - len(after_end)].start() :])
    return ScheduleMaintenance(components, start, end, title_of(text), text)
