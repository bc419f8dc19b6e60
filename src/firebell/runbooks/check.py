"""`firebell runbooks check`: every problem in a directory of runbooks, as `file:line: level: message`."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from firebell.runbooks.errors import RunbookError
from firebell.runbooks.model import Runbook
from firebell.runbooks.parse import load_runbook, runbook_paths

Level = Literal["error", "warning"]

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CHECKLIST_STEPS = 45  # steps one Slack message can show with a Done button each
STEP_TEXT = 2_800  # a step's text a checklist section can show whole


@dataclass(frozen=True)
class Finding:
    """One problem found in a runbook: errors make the check fail, warnings do not."""

    file: Path
    line: int | None
    level: Level
    message: str

    def format(self) -> str:
        """`file:line: level: message`, the form editors and CI annotate."""
        where = f"{self.file}:{self.line}" if self.line is not None else str(self.file)
        return f"{where}: {self.level}: {self.message}"

    def __str__(self) -> str:
        return self.format()


def _runbook_findings(runbook: Runbook, today: date, severities: Sequence[str] | None) -> list[Finding]:
    findings: list[Finding] = []
    lines = runbook.field_lines
    known = {name.lower() for name in severities or ()}
    if severities is not None and runbook.severity is not None and runbook.severity.lower() not in known:
        message = f"severity {runbook.severity!r} is not one of the policy's severities: {', '.join(severities)}"
        findings.append(Finding(runbook.path, lines.get("severity"), "error", message))
    if runbook.review_by is not None and runbook.review_overdue(today):
        message = f"review_by {runbook.review_by.isoformat()} has passed; review this runbook"
        findings.append(Finding(runbook.path, lines.get("review_by"), "warning", message))
    if not runbook.owner_is_recognised():
        message = (
            f"owner {runbook.owner!r} is not a Slack user id (U0123ABCD), user group id (S0123ABCD) or "
            "@handle; it will be shown as text and nobody will be mentioned"
        )
        findings.append(Finding(runbook.path, lines.get("owner"), "warning", message))
    if len(runbook.steps) > CHECKLIST_STEPS:
        message = (
            f"{len(runbook.steps)} steps: the war-room checklist shows the first {CHECKLIST_STEPS} and points to "
            "the file for the rest; split it or merge small steps"
        )
        findings.append(Finding(runbook.path, runbook.steps[CHECKLIST_STEPS].line, "warning", message))
    for step in runbook.steps:
        if len(step.text) > STEP_TEXT:
            message = (
                f"step {step.number} has {len(step.text)} characters; the checklist shows about {STEP_TEXT} and "
                "points to the file for the rest"
            )
            findings.append(Finding(runbook.path, step.line, "warning", message))
    if not _SLUG.match(runbook.slug):
        message = (
            f"name the file in lowercase words joined by '-' (its name, {runbook.slug!r}, is how people ask for it)"
        )
        findings.append(Finding(runbook.path, 1, "warning", message))
    return findings


def check_dir(path: Path, today: date, severities: Sequence[str] | None = None) -> list[Finding]:
    """Check every runbook in a directory; `severities` (the policy's names) also checks each severity hint."""
    if not path.is_dir():
        return [Finding(path, None, "error", "not a directory of runbooks")]
    paths = runbook_paths(path)
    if not paths:
        return [Finding(path, None, "warning", "no runbooks here (*.md files with front matter)")]
    findings: list[Finding] = []
    titles: dict[str, Runbook] = {}
    for file in paths:
        try:
            runbook = load_runbook(file)
        except RunbookError as exc:
            findings += [Finding(file, problem.line, "error", problem.message) for problem in exc.problems]
            continue
        findings += _runbook_findings(runbook, today, severities)
        key = " ".join(runbook.title.lower().split())
        if (first := titles.get(key)) is not None:
            message = f"duplicate title {runbook.title!r}, also the title of {first.path.name}"
            findings.append(Finding(file, runbook.field_lines.get("title"), "error", message))
        else:
            titles[key] = runbook
    return sorted(findings, key=lambda finding: (str(finding.file), finding.line or 0))


def has_errors(findings: Sequence[Finding]) -> bool:
    """Whether any finding is an error."""
    return any(finding.level == "error" for finding in findings)
