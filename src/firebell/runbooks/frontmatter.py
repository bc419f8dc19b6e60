"""Runbook front matter: the YAML block between `---` lines at the top of the file, and its keys."""

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from firebell.runbooks.errors import Problem

_NULL_TAG = "tag:yaml.org,2002:null"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

EXPECTED = {
    "title": "a non-empty string, like: Database primary failover",
    "services": "a list of service names, like [orders-db, checkout]",
    "keywords": "a list of words and alert names, like [PostgresPrimaryDown, replication lag]",
    "owner": "a Slack user id (U0123ABCD), a user group id (S0123ABCD) or a team handle (@payments-oncall)",
    "severity": "a severity name from the policy, like SEV2",
    "review_by": "a date as YYYY-MM-DD, like 2027-03-31",
}
REQUIRED = ("title", "services", "keywords", "owner")
MAX_TITLE = 150  # a Slack header's limit; the store keeps up to 255


class _Loader(yaml.SafeLoader):
    """YAML where plain scalars stay strings: no dates, numbers or yes/no booleans, only null.

    Front matter holds names, words and one date, so `502`, `no` and `2027-02-30` must reach our checks as
    the text the author wrote (PyYAML would turn them into an int, False and an exception).
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag == _NULL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class FrontMatter:
    """Validated front-matter values and the line each key is on."""

    title: str
    services: list[str]
    keywords: list[str]
    owner: str
    severity: str | None = None
    review_by: date | None = None
    lines: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class FrontMatterBlock:
    """Where the front matter is: the indexes of its opening and closing `---` lines (closing None if missing)."""

    opening: int
    closing: int | None


def find_front_matter(lines: Sequence[str]) -> FrontMatterBlock | None:
    """Locate the front matter, which must open on the file's first line; None when there is none."""
    if not lines or lines[0].rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return FrontMatterBlock(opening=0, closing=index)
    return FrontMatterBlock(opening=0, closing=None)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _string(key: str, value: Any, line: int, problems: list[Problem]) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    problems.append(Problem(line, f"{key}: expected {EXPECTED[key]}, got {_describe(value)}"))
    return None


def _strings(key: str, value: Any, line: int, problems: list[Problem]) -> list[str] | None:
    if not isinstance(value, list):
        problems.append(Problem(line, f"{key}: expected {EXPECTED[key]}, got {_describe(value)}"))
        return None
    items: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            problems.append(Problem(line, f"{key}[{index}]: expected a non-empty string, got {_describe(item)}"))
        else:
            items.append(item.strip())
    return items if len(items) == len(value) else None


def _date(key: str, value: Any, line: int, problems: list[Problem]) -> date | None:
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            problems.append(Problem(line, f"{key}: {value.strip()!r} is not a calendar date; expected {EXPECTED[key]}"))
            return None
    problems.append(Problem(line, f"{key}: expected {EXPECTED[key]}, got {_describe(value)}"))
    return None


def _mapping(source: str, first_line: int) -> tuple[dict[str, Any], dict[str, int], list[Problem]]:
    """The front matter's keys, values and key lines; problems for YAML errors and odd or duplicate keys."""
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    loader = _Loader(source)
    try:
        node = loader.get_single_node()
        if node is None:
            return (
                values,
                lines,
                [Problem(first_line - 1, "front matter is empty; expected the keys " + ", ".join(REQUIRED))],
            )
        if not isinstance(node, yaml.MappingNode):
            problems.append(Problem(first_line, "front matter: expected keys and values (title: ..., services: [...])"))
            return values, lines, problems
        for key_node, value_node in node.value:
            line = first_line + key_node.start_mark.line
            if not isinstance(key_node, yaml.ScalarNode) or not isinstance(
                key := loader.construct_object(key_node), str
            ):
                problems.append(Problem(line, "front matter: keys must be plain names like title or services"))
                continue
            if key in lines:
                problems.append(Problem(line, f"duplicate key {key!r} (first on line {lines[key]})"))
                continue
            lines[key] = line
            values[key] = loader.construct_object(value_node, deep=True)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark is not None else first_line
        problems.append(Problem(line, f"front matter is not valid YAML: {exc.problem or exc.context}"))
    except (yaml.YAMLError, ValueError, TypeError) as exc:  # e.g. an explicit `!!timestamp 2027-13-01`
        problems.append(Problem(first_line, f"front matter is not valid YAML: {exc}"))
    finally:
        loader.dispose()
    return values, lines, problems


def read_front_matter(source_lines: Sequence[str], first_line: int) -> tuple[FrontMatter | None, list[Problem]]:
    """Parse and check the YAML between the `---` lines; `first_line` is the file line of its first line."""
    values, lines, problems = _mapping("\n".join(source_lines), first_line)
    if problems:
        return None, problems
    opening = first_line - 1
    for key in values:
        if key not in EXPECTED:
            close = difflib.get_close_matches(key, list(EXPECTED), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(Problem(lines[key], f"unknown key {key!r}: {hint}known keys are {', '.join(EXPECTED)}"))
    for key in REQUIRED:
        if key not in values:
            problems.append(Problem(opening, f"missing required key {key!r}: expected {EXPECTED[key]}"))
    title = _string("title", values["title"], lines["title"], problems) if "title" in values else None
    if title is not None and len(title) > MAX_TITLE:
        problems.append(Problem(lines["title"], f"title: at most {MAX_TITLE} characters (this one has {len(title)})"))
        title = None
    owner = _string("owner", values["owner"], lines["owner"], problems) if "owner" in values else None
    services = _strings("services", values["services"], lines["services"], problems) if "services" in values else None
    keywords = _strings("keywords", values["keywords"], lines["keywords"], problems) if "keywords" in values else None
    severity = values.get("severity")
    if severity is not None:
        severity = _string("severity", severity, lines["severity"], problems)
    review_by = values.get("review_by")
    if review_by is not None:
        review_by = _date("review_by", review_by, lines["review_by"], problems)
    if problems or title is None or owner is None or services is None or keywords is None:
        return None, problems
    return FrontMatter(title, services, keywords, owner, severity, review_by, lines), problems
