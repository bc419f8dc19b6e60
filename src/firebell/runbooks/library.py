"""The runbooks Firebell knows: loaded from a directory, looked up by slug, and matched to incidents."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from firebell.runbooks.errors import RunbookError
from firebell.runbooks.model import Runbook
from firebell.runbooks.parse import load_runbook, runbook_paths
from firebell.runbooks.ranking import Bm25fIndex, FieldSpec
from firebell.runbooks.steps import without_code_blocks
from firebell.runbooks.terms import terms

logger = logging.getLogger(__name__)

# Title and keywords (which hold alert names) are what authors write for matching; services name the
# systems; the body is long and mentions many things in passing. b is lower for the short list fields
# so a runbook that lists more keywords is not penalised much for it.
RUNBOOK_FIELDS = (
    FieldSpec("title", weight=3.0, b=0.75),
    FieldSpec("keywords", weight=2.5, b=0.3),
    FieldSpec("services", weight=2.0, b=0.3),
    FieldSpec("body", weight=1.0, b=0.75),
)

# A runbook is a candidate only when its title, keywords or services contain a query term (the body
# helps rank candidates but never makes one: a word used in passing in a long body is no reason to
# suggest a runbook).
MATCH_FIELDS = ("title", "keywords", "services")

# Scores are BM25F divided by the query's norm (see Bm25fIndex.query_norm), so one threshold serves
# alert names, titles and descriptions. Calibrated with tests/runbooks/test_ranking.py on the shipped
# runbooks: the weakest expected match scores 0.59 (a long description), the strongest unrelated title
# 0.33; 0.42 leaves a margin of about 1.3-1.4x on each side.
MIN_SCORE = 0.42


@dataclass(frozen=True)
class Match:
    """A runbook found for a query, and how well it matched: its BM25F score over the query's norm (about 0.4
    is a weak match, above 1 a strong one)."""

    runbook: Runbook
    score: float


def _document(runbook: Runbook) -> dict[str, list[str]]:
    return {
        "title": terms(runbook.title),
        "keywords": terms(" . ".join(runbook.keywords)),
        "services": terms(" . ".join(runbook.services)),
        "body": terms(without_code_blocks(runbook.body)),
    }


class RunbookLibrary:
    """A fixed set of runbooks with a search index over them."""

    def __init__(self, runbooks: Iterable[Runbook]) -> None:
        self._runbooks = sorted(runbooks, key=lambda runbook: runbook.slug)
        self._by_slug = {runbook.slug: runbook for runbook in self._runbooks}
        self._index = Bm25fIndex([_document(runbook) for runbook in self._runbooks], RUNBOOK_FIELDS)

    @classmethod
    def load(cls, directory: Path) -> "RunbookLibrary":
        """Load every runbook in a directory, skipping (and logging) malformed ones; never raises for a file."""
        if not directory.is_dir():
            logger.warning("runbooks directory %s does not exist; no runbooks will be suggested", directory)
            return cls([])
        runbooks: list[Runbook] = []
        for path in runbook_paths(directory):
            try:
                runbooks.append(load_runbook(path))
            except RunbookError as exc:
                logger.error("skipping runbook %s, it is malformed:\n%s", path, exc.message)
            except Exception:  # a parser bug must not stop the service either
                logger.exception("skipping runbook %s, it could not be read", path)
        logger.info("loaded %d runbooks from %s", len(runbooks), directory)
        return cls(runbooks)

    def all(self) -> list[Runbook]:
        """Every runbook, by slug."""
        return list(self._runbooks)

    def get(self, slug: str) -> Runbook | None:
        """The runbook with this slug (its file name without .md), or None."""
        wanted = slug.strip().removesuffix(".md")
        return self._by_slug.get(wanted) or next(
            (runbook for runbook in self._runbooks if runbook.slug.lower() == wanted.lower()), None
        )

    def search(self, query: str, limit: int = 3, min_score: float = MIN_SCORE) -> list[Match]:
        """The best runbooks for a query (an incident title, an alert name, words), best first; empty when none fits."""
        query_terms = list(dict.fromkeys(terms(query)))
        norm = self._index.query_norm(query_terms)
        if not norm or limit < 1:
            return []
        scored = [
            Match(runbook, score)
            for index, runbook in enumerate(self._runbooks)
            if self._index.matches_in(index, query_terms, MATCH_FIELDS)
            and (score := self._index.score(index, query_terms) / norm) >= min_score
        ]
        scored.sort(key=lambda match: (-match.score, match.runbook.slug))
        return scored[:limit]

    def past_review(self, today: date) -> list[Runbook]:
        """Runbooks whose review_by date has passed, by slug."""
        return [runbook for runbook in self._runbooks if runbook.review_overdue(today)]
