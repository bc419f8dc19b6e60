"""`firebell runbooks check|list|match`: validate and show the runbooks directory, and explain suggestions."""

import sys
from datetime import date
from pathlib import Path

import click

from firebell.config import load_policy, load_settings
from firebell.domain.errors import FirebellError
from firebell.runbooks.check import check_dir, has_errors
from firebell.runbooks.errors import RunbookError
from firebell.runbooks.library import MATCH_FIELDS, Explanation, Ranked, RunbookLibrary
from firebell.runbooks.location import runbooks_dir
from firebell.runbooks.model import Runbook
from firebell.runbooks.parse import load_runbook, runbook_paths
from firebell.runbooks.terms import CONTEXT_WORDS


def _policy() -> tuple[Path, list[str]]:
    """The runbooks directory and severity names from the policy file, found the way `firebell serve` finds it."""
    policy = load_policy(load_settings().firebell_config)
    return runbooks_dir(policy), policy.severity_names


def _fail(message: str) -> None:
    for line in message.splitlines():
        click.echo(f"firebell: {line}", err=True)
    sys.exit(2)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@click.group()
def runbooks() -> None:
    """Runbooks: Markdown guides in the policy's runbooks_dir (default: the runbooks shipped with Firebell)."""


@runbooks.command("check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
def check_command(directory: Path | None) -> None:
    """Validate every runbook; print file:line: level: message, exit 1 on errors."""
    try:
        default_dir, severities = _policy()
    except FirebellError as exc:
        _fail(exc.message)
        return
    directory = directory or default_dir
    findings = check_dir(directory, date.today(), severities)
    for finding in findings:
        click.echo(finding.format())
    errors = sum(finding.level == "error" for finding in findings)
    warnings = len(findings) - errors
    checked = len(runbook_paths(directory)) if directory.is_dir() else 0
    summary = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}" if findings else "no problems"
    click.echo(f"Checked {_plural(checked, 'runbook')} in {directory}: {summary}.")
    if has_errors(findings):
        sys.exit(1)


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]


def _row(runbook: Runbook) -> list[str]:
    title = runbook.title if len(runbook.title) <= 48 else runbook.title[:47] + "…"
    review = runbook.review_by.isoformat() if runbook.review_by else "-"
    services = ", ".join(runbook.services) or "-"
    return [runbook.slug, title, services, runbook.owner, review, str(len(runbook.steps))]


@runbooks.command("list")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
def list_command(directory: Path | None) -> None:
    """Print a table of the runbooks: slug, title, services, owner, review_by, steps."""
    if directory is None:
        try:
            directory, _ = _policy()
        except FirebellError as exc:
            _fail(exc.message)
            return
    if not directory.is_dir():
        _fail(f"{directory} is not a directory of runbooks")
    loaded: list[Runbook] = []
    skipped: list[Path] = []
    for path in runbook_paths(directory):
        try:
            loaded.append(load_runbook(path))
        except RunbookError:
            skipped.append(path)
    if not loaded:
        click.echo(f"No runbooks in {directory}.")
    else:
        header = ["SLUG", "TITLE", "SERVICES", "OWNER", "REVIEW BY", "STEPS"]
        for line in _table([header, *(_row(runbook) for runbook in loaded)]):
            click.echo(line)
    for path in skipped:
        click.echo(f"skipped {path}: malformed; see `firebell runbooks check {directory}`", err=True)


def _standing(ranked: Ranked, explanation: Explanation) -> str:
    if ranked in explanation.suggested:
        return "yes"
    if not ranked.matched:
        return "no: no query term"
    if not ranked.candidate:
        in_match_fields = any(set(fields) & set(MATCH_FIELDS) for fields in ranked.matched.values())
        return "no: only context words in title/keywords" if in_match_fields else "no: not in title/keywords"
    if ranked.score < explanation.threshold:
        return "no: below threshold"
    return f"no: beyond the best {explanation.limit}"


@runbooks.command("match")
@click.argument("title")
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    help="Runbooks directory (default: the policy's runbooks_dir).",
)
def match_command(title: str, directory: Path | None) -> None:
    """Show how an incident title ranks the runbooks: terms, scores, the threshold, and what is suggested."""
    if directory is None:
        try:
            directory, _ = _policy()
        except FirebellError as exc:
            _fail(exc.message)
            return
    if not directory.is_dir():
        _fail(f"{directory} is not a directory of runbooks")
    library = RunbookLibrary.load(directory)
    if not library.all():
        _fail(f"no runbooks in {directory}")
    explanation = library.explain(title)
    click.echo(f"Query terms: {' '.join(explanation.query_terms) or '(none)'}")
    if explanation.unknown_terms:
        click.echo(f"In no runbook: {' '.join(explanation.unknown_terms)} (these lower every score)")
    click.echo(
        f"Threshold: {explanation.threshold:.2f}. A runbook is suggested (at most {explanation.limit}) when it "
        "scores at least this and a query term other than a context word "
        f"({', '.join(CONTEXT_WORDS)}) is in its title or keywords."
    )
    click.echo("")
    rows = [["RANK", "SCORE", "SUGGESTED", "RUNBOOK", "MATCHED (term: fields)"]]
    for rank, ranked in enumerate(explanation.ranking, start=1):
        matched = "; ".join(f"{term}: {', '.join(fields)}" for term, fields in ranked.matched.items()) or "-"
        rows.append([str(rank), f"{ranked.score:.2f}", _standing(ranked, explanation), ranked.runbook.slug, matched])
    for line in _table(rows):
        click.echo(line)
    suggested = explanation.suggested
    click.echo("")
    if suggested:
        click.echo(f"Suggested: {', '.join(r.runbook.slug for r in suggested)}")
    else:
        click.echo("Suggested: none")
