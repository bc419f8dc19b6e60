"""Why a runbook file could not be read: every problem with its line, so the author can fix them all at once."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from firebell.domain.errors import FirebellError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a runbook file, at a 1-based line."""

    line: int
    message: str


class RunbookError(FirebellError):
    """A runbook file that cannot be used; `problems` lists what is wrong, line by line."""

    def __init__(self, path: Path, problems: Sequence[Problem]) -> None:
        self.path = path
        self.problems = tuple(sorted(problems, key=lambda problem: problem.line))
        super().__init__("\n".join(f"{path}:{problem.line}: {problem.message}" for problem in self.problems))
