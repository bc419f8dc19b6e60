"""`/incident declare [sevN] <title> [--detected 14:02|20m ago] [--service checkout]`: the declare's own grammar.

Flags come after the title, in any order; each takes the text up to the next flag (`--detected 20m ago`) or
one word (`--service checkout`). Anything else that starts with `--` is part of the title.
"""

import re
from dataclasses import dataclass

from firebell.domain.affected_service import service_named
from firebell.domain.errors import UsageError
from firebell.domain.policy import Policy
from firebell.slack.mrkdwn import plain_from_slack, truncate

MAX_TITLE = 200
_FLAG = re.compile(r"(?:^|\s)--(detected|service)(?=[=\s]|$)", re.IGNORECASE)
_NEEDS = {
    "detected": "`--detected` needs a time at the end: `--detected 14:02` or `--detected 20m ago` (UTC).",
    "service": "`--service` needs a service name: `--service checkout`.",
}


@dataclass(frozen=True)
class Declare:
    """Declare an incident; no title means "open the declare form"."""

    severity: str | None
    title: str | None
    detected: str | None = None  # `--detected 14:02|20m ago`, read by the use case (it knows the time)
    service: str | None = None  # `--service checkout`: a service from the policy (its name as the policy spells it)


def _flags(rest: str) -> tuple[str, dict[str, str]]:
    """The text before the first flag, and each flag's value."""
    found = list(_FLAG.finditer(rest))
    if not found:
        return rest, {}
    values: dict[str, str] = {}
    for i, match in enumerate(found):
        name = match.group(1).lower()
        end = found[i + 1].start() if i + 1 < len(found) else len(rest)
        value = rest[match.end() : end].strip().removeprefix("=").strip()
        if name in values:
            raise UsageError(f"`--{name}` is given twice; give it once.")
        if not value:
            raise UsageError(_NEEDS[name])
        values[name] = value
    return rest[: found[0].start()], values


def _service(value: str | None, policy: Policy) -> str | None:
    if value is None:
        return None
    words = value.split()
    if len(words) > 1:
        shown = truncate(value, 60)
        raise UsageError(
            f"`--service` takes one service name, not `{shown}`; put the flags after the title: "
            "`/incident declare sev2 Checkout errors --service checkout`."
        )
    return service_named(policy, words[0]).name


def parse_declare(rest: str, policy: Policy) -> Declare:
    """Parse what follows `declare`; UsageError naming what was wrong and the valid form."""
    rest, flags = _flags(rest)
    service = _service(flags.get("service"), policy)
    first, _, remainder = rest.strip().partition(" ")
    severity: str | None = None
    if first and _looks_like_severity(first, policy):
        severity = policy.severity(first).name
        rest = remainder.strip()
    text = plain_from_slack(rest)
    title = text or None
    if title is not None and len(title) > MAX_TITLE:
        raise UsageError(f"The title is {len(title)} characters; keep it under {MAX_TITLE} (put details in `update`).")
    return Declare(severity=severity, title=title, detected=flags.get("detected"), service=service)


def _looks_like_severity(token: str, policy: Policy) -> bool:
    lowered = token.lower()
    if lowered.startswith("sev") and lowered[3:].isdigit():
        return True
    return any(lowered == name.lower() for name in policy.severity_names)
