"""What the war room (and, for a page nobody answered, the announcement channel) is told as a page runs.

Each renderer takes a queued notice's payload: the incident's state when it happened plus the notice's own data
(see services/paging/pages.py). Names from the policy file and free text are escaped; mentions are built only from
user ids.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from firebell.domain.naming import incident_label
from firebell.domain.paging import elapsed
from firebell.domain.policy import Policy
from firebell.slack.blocks.incident import Message
from firebell.slack.blocks.kit import context, date_token, mention, section
from firebell.slack.mrkdwn import escape_mrkdwn, truncate

MAX_NAMED = 15  # people named in one line; the rest are counted
_TARGET_WORDS = {"service": "service", "policy": "escalation policy", "schedule": "schedule"}


_ROUTES = frozenset({"room", "announcement", "announcement_thread"})


def page_target(payload: dict[str, Any]) -> str:
    """The page's target in a notice: `page_target`, or `target` when that is not where the notice goes."""
    target = payload.get("page_target") or payload.get("target")
    return "" if target in _ROUTES else str(target or "")


def target_text(target: object) -> str:
    """`service *checkout*`, `schedule *checkout-primary*` or a mention, from a stored target (`kind:name`)."""
    kind, _, name = str(target or "").partition(":")
    if kind == "user":
        return mention(name)
    word = _TARGET_WORDS.get(kind)
    if word is None or not name:
        return f"*{escape_mrkdwn(truncate(str(target or 'someone'), 80))}*"
    return f"{word} *{escape_mrkdwn(truncate(name, 80))}*"


def people(users: object) -> str:
    """`<@U1>, <@U2> and 3 more`: the first MAX_NAMED as mentions."""
    ids = [str(u) for u in users] if isinstance(users, list) else []
    if not ids:
        return "nobody"
    named = [mention(u) for u in ids[:MAX_NAMED]]
    if len(ids) > MAX_NAMED:
        return f"{', '.join(named)} and {len(ids) - MAX_NAMED} more"
    return ", ".join(named[:-1]) + f" and {named[-1]}" if len(named) > 1 else named[0]


def answer_time(seconds: object) -> str:
    """How long an acknowledgement took: `45s`, `2m 13s`, `1h 5m`."""
    try:
        return elapsed(timedelta(seconds=float(str(seconds))))
    except (ValueError, OverflowError):
        return "time unknown"


def _step(payload: dict[str, Any], prefix: str = "") -> str:
    """`step 2` (`step 2, round 2` once the policy repeats), as notices carry them (counting from 1)."""
    try:
        step, round_ = int(payload.get(f"{prefix}step", 1)), int(payload.get(f"{prefix}round", 1))
    except (TypeError, ValueError):
        return "the next step"
    return f"step {step}" if round_ <= 1 else f"step {step}, round {round_}"


def _message(text: str, *notes: str) -> Message:
    blocks = [section(text)]
    if notes:
        blocks.append(context(*notes))
    return Message(text=text, blocks=blocks)


def _started(payload: dict[str, Any], policy: Policy) -> Message:
    who = mention(payload["paged_by"]) if payload.get("paged_by") else "Firebell"
    why = payload.get("reason")
    head = f":rotating_light: {who} is paging {target_text(page_target(payload))}."
    if why:
        return _message(head, f"Why: {escape_mrkdwn(truncate(str(why), 500))}")
    return _message(head)


def _notified(payload: dict[str, Any], policy: Policy) -> Message:
    via = payload.get("via")
    routes = [target_text(v) for v in via] if isinstance(via, list) else []
    nobody = payload.get("nobody")
    empty = [target_text(t) for t in nobody] if isinstance(nobody, list) else []
    notes = [f"Nobody is on call for {', '.join(empty[:5])}."] if empty else []
    if not payload.get("users"):
        return _message(f":pager: Nobody to page at {_step(payload)}: moving on to the next step.", *notes)
    through = f" (through {', '.join(routes[:5])})" if routes else ""
    text = f":pager: Paged {people(payload.get('users'))}{through}: {_step(payload)}."
    return _message(text, "They got a direct message with *Acknowledge* and *I can't*.", *notes)


def _acknowledged(payload: dict[str, Any], policy: Policy) -> Message:
    took = answer_time(payload.get("after_seconds"))
    also = "" if payload.get("first", True) else " too"
    return _message(f":white_check_mark: {mention(payload.get('user'))} acknowledged{also} ({took}).")


def _passed_on(payload: dict[str, Any]) -> str:
    if payload.get("exhausted"):
        return "nobody is left to page: the escalation has run through every step"
    if payload.get("held_until"):
        service = escape_mrkdwn(str(payload.get("service") or "the service"))
        return f"{_step(payload, 'to_')} is paged when *{service}*'s maintenance ends ({_when(payload['held_until'])})"
    return f"paging {_step(payload, 'to_')} now"


def _declined(payload: dict[str, Any], policy: Policy) -> Message:
    return _message(f":no_entry_sign: {mention(payload.get('user'))} can't take the page: {_passed_on(payload)}.")


def _escalated(payload: dict[str, Any], policy: Policy) -> Message:
    return _message(f":arrow_double_up: {mention(payload.get('user'))} escalated the page: {_passed_on(payload)}.")


def _unreachable(payload: dict[str, Any], policy: Policy) -> Message:
    error = escape_mrkdwn(truncate(str(payload.get("error") or "unknown"), 80))
    text = f":warning: Slack could not deliver the page to {mention(payload.get('user'))} (`{error}`)."
    return _message(text, "The page moves on without waiting for them.")


def _when(value: object) -> str:
    try:
        return date_token(datetime.fromisoformat(str(value)))
    except ValueError:
        return "the window ends"


def _held(payload: dict[str, Any], policy: Policy) -> Message:
    service = escape_mrkdwn(truncate(str(payload.get("service") or "the service"), 80))
    text = (
        f":construction: *{service}* is in maintenance until {_when(payload.get('until'))}: nobody is paged until then."
    )
    return _message(text, "Paging resumes by itself when the window ends, unless the page is over by then.")


def _resumed(payload: dict[str, Any], policy: Policy) -> Message:
    service = escape_mrkdwn(truncate(str(payload.get("service") or "the service"), 80))
    return _message(f":bell: *{service}*'s maintenance window ended: paging resumed.")


def _ended(payload: dict[str, Any], policy: Policy) -> Message:
    return _message(":checkered_flag: Paging stopped: the incident is resolved, so nobody more is paged.")


def _unanswered(payload: dict[str, Any], policy: Policy) -> Message:
    """A page ran through every round and nobody acknowledged it: an alarm in the war room, and in the
    announcement's thread for whoever can help."""
    tried = payload.get("tried")
    whom = f"Tried {people(tried)}." if tried else "Nobody was on call to try."
    text = f":sos: {_in_thread(payload)}Nobody acknowledged the page for {target_text(page_target(payload))}. {whom}"
    if payload.get("target") == "room":
        return _message(text, "Page someone else: `/incident page <service|schedule|@someone>`.")
    return _message(text, "Can you help? Join the war room (linked above) and say so.")


def _in_thread(payload: dict[str, Any]) -> str:
    if payload.get("target") == "announcement_thread" and payload.get("number") is not None:
        return f"*{incident_label(int(payload['number']))}*: "
    return ""


PAGE_NOTICES: dict[str, Callable[[dict[str, Any], Policy], Message]] = {
    "page_started": _started,
    "page_notified": _notified,
    "page_acknowledged": _acknowledged,
    "page_declined": _declined,
    "page_escalated": _escalated,
    "page_unreachable": _unreachable,
    "page_held": _held,
    "page_resumed": _resumed,
    "page_ended": _ended,
    "page_unanswered": _unanswered,
}
