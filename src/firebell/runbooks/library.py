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
from firebell.runbooks.terms import CONTEXT_TERMS, name_part_terms, terms

logger = logging.getLogger(__name__)

# Title and keywords (which hold alert names) are what authors write for matching; the parts of a CamelCase
# alert name (`stuck` in KubeDeploymentRolloutStuck) count only weakly, as their own field; services name
# the systems; the body is long and mentions many things in passing. b is lower for the short list fields
# so a runbook that lists more keywords is not penalised much for it.
RUNBOOK_FIELDS = (
    FieldSpec("title", weight=3.0, b=0.75),
    FieldSpec("keywords", weight=2.5, b=0.3),
    FieldSpec("name_parts", weight=1.0, b=0.3),
    FieldSpec("services", weight=2.0, b=0.3),
    FieldSpec("body", weight=1.0, b=0.75),
)

# A runbook is a candidate only when its title or keywords contain a query term that names a failure.
# The other fields help rank candidates but never make one: a word used in passing in a long body, a part
# of an alert name, or a service name ("feature flag change hid the checkout button" is not a checkout
# vendor outage) is no reason to suggest a runbook. Context words (deploy, release, version, ...) say when
# something broke, not what: they rank but never make a candidate either ("blank dashboards since the
# 14:00 deploy of the metrics pipeline" is no HTTP 5xx incident).
MATCH_FIELDS = ("title", "keywords")

# Scores are BM25F divided by the query's norm (see Bm25fIndex.query_norm), so one threshold serves
# alert names, titles and descriptions. Calibrated with tests/runbooks/test_ranking.py on the shipped
# runbooks (78 titles and descriptions that must find their runbook, 33 that must find none): the weakest
# expected match scores 0.56, the strongest unrelated candidate 0.34; 0.42 leaves a margin of about
# 1.25-1.3x on each side. `firebell runbooks match "<title>"` shows any title's scores.
MIN_SCORE = 0.42


@dataclass(frozen=True)
class Ranked:
    """One runbook's standing for a query: its score, which query terms it contains and where, and whether
    it is a candidate (a query term other than a context word in its title, keywords or services)."""

    runbook: Runbook
    score: float
    matched: dict[str, tuple[str, ...]]
    candidate: bool


@dataclass(frozen=True)
class Explanation:
    """Why a query gets the suggestions it gets: its terms, the threshold and every runbook's standing."""

    query_terms: list[str]
    unknown_terms: list[str]
    threshold: float
    limit: int
    ranking: list[Ranked]

    @property
    def suggested(self) -> list[Ranked]:
        """The runbooks suggested: candidates at or above the threshold, best first, at most `limit`."""
        if self.limit < 1:
            return []
        return [r for r in self.ranking if r.candidate and r.score >= self.threshold][: self.limit]


@dataclass(frozen=True)
class Match:
    """A runbook found for a query, and how well it matched: its BM25F score over the query's norm (about 0.4
    is a weak match, above 1 a strong one)."""

    runbook: Runbook
    score: float


def _document(runbook: Runbook) -> dict[str, list[str]]:
    keywords, name_parts = name_part_terms(" . ".join(runbook.keywords))
    return {
        "title": terms(runbook.title),
        "keywords": keywords,
        "name_parts": name_parts,
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
        return [Match(r.runbook, r.score) for r in self.explain(query, limit=limit, min_score=min_score).suggested]

    def explain(self, query: str, limit: int = 3, min_score: float = MIN_SCORE) -> Explanation:
        """Every runbook's score for a query, best first, with what matched where (what `search` decides from)."""
        query_terms = list(dict.fromkeys(terms(query)))
        norm = self._index.query_norm(query_terms)
        unknown = [term for term in query_terms if not self._index.idf(term)]
        deciding = [term for term in query_terms if term not in CONTEXT_TERMS]
        ranking = []
        for index, runbook in enumerate(self._runbooks):
            matched = {term: where for term in query_terms if (where := self._index.fields_with(index, term))}
            score = self._index.score(index, query_terms) / norm if norm else 0.0
            candidate = self._index.matches_in(index, deciding, MATCH_FIELDS)
            ranking.append(Ranked(runbook, score, matched, candidate))
        ranking.sort(key=lambda r: (-r.score, r.runbook.slug))
        return Explanation(query_terms, unknown, min_score, limit, ranking)

    def past_review(self, today: date) -> list[Runbook]:
        """Runbooks whose review_by date has passed, by slug."""
        return [runbook for runbook in self._runbooks if runbook.review_overdue(today)]
