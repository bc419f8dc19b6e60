"""Read a runbook file: front matter, then a Markdown body of steps. The only module here that touches files."""

import functools
from pathlib import Path

from firebell.runbooks.errors import Problem, RunbookError
from firebell.runbooks.frontmatter import find_front_matter, read_front_matter
from firebell.runbooks.model import Runbook
from firebell.runbooks.steps import parse_steps

NOT_RUNBOOKS = frozenset({"readme.md"})  # documentation that may sit next to the runbooks

_NO_FRONT_MATTER = (
    "no front matter: a runbook starts with a line '---', then title, services, keywords and owner, then '---'"
)
_NO_STEPS = "no steps: write the steps as a numbered list (1. ...) or a checkbox list (- [ ] ...)"


def _lines(text: str) -> list[str]:
    """Split on \\n, \\r\\n or \\r only, so line numbers match what editors show."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


MAX_SLUG = 100  # the store keeps up to 120


def parse_runbook(text: str, path: Path) -> Runbook:
    """Parse a runbook's text; raise RunbookError listing every problem with its line."""
    lines = _lines(text)
    block = find_front_matter(lines)
    if block is None:
        raise RunbookError(path, [Problem(1, _NO_FRONT_MATTER)])
    if block.closing is None:
        raise RunbookError(path, [Problem(1, "front matter opened here is never closed with a line '---'")])
    meta, problems = read_front_matter(lines[block.opening + 1 : block.closing], first_line=block.opening + 2)
    body_lines = lines[block.closing + 1 :]
    steps, step_problems = parse_steps(body_lines, first_line=block.closing + 2)
    problems += step_problems
    if not steps and not step_problems:
        problems.append(Problem(min(block.closing + 2, max(len(lines), 1)), _NO_STEPS))
    if len(path.stem) > MAX_SLUG:
        problems.append(
            Problem(1, f"file name: at most {MAX_SLUG} characters before .md (it is how people ask for it)")
        )
    if problems or meta is None:
        raise RunbookError(path, problems)
    return Runbook(
        path=path,
        title=meta.title,
        services=meta.services,
        keywords=meta.keywords,
        owner=meta.owner,
        severity=meta.severity,
        review_by=meta.review_by,
        steps=steps,
        body="\n".join(body_lines).strip("\n"),
        field_lines=meta.lines,
    )


def load_runbook(path: Path) -> Runbook:
    """Read and parse one runbook file; raise RunbookError when it cannot be read or is malformed."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RunbookError(path, [Problem(1, f"not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    except OSError as exc:
        raise RunbookError(path, [Problem(1, f"cannot read the file: {exc.strerror or exc}")]) from None
    return _parsed(text, path)


@functools.lru_cache(maxsize=1024)
def _parsed(text: str, path: Path) -> Runbook:
    """parse_runbook, remembered by content: the shelf rereads the directory every few minutes and every
    process start reads the same files, and an unchanged file parses the same (a malformed one raises again)."""
    return parse_runbook(text, path)


def runbook_paths(directory: Path) -> list[Path]:
    """The runbook files in a directory (`*.md` except README.md), sorted by name."""
    return sorted(path for path in directory.glob("*.md") if path.is_file() and path.name.lower() not in NOT_RUNBOOKS)
