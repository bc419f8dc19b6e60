"""BM25F: rank documents with several weighted fields (title, keywords, services, body) against a query.

Okapi BM25 scores a document by summing, over the query's terms, the term's rarity (idf) times a saturating
function of how often the term occurs, normalised by document length. Runbooks have fields of very different
worth: a word in the title or among the alert-name keywords says far more than the same word in a long body.

We use BM25F (Robertson, Zaragoza and Taylor, "Simple BM25 extension to multiple weighted fields", 2004)
rather than a weighted sum of per-field BM25 scores. BM25F length-normalises each field's term frequency,
weights and adds them into one pseudo-frequency, and saturates that once with k1. A weighted sum saturates
each field separately, so a term found in the title, the keywords and the body would count nearly three
times over; that rewards runbooks that repeat one word everywhere over runbooks that match more of the
query's words, which is the wrong way round for matching incident titles. With BM25F each query term's
contribution is bounded by idf * (k1 + 1), and the field weights say how much evidence an occurrence gives.

idf is the always-positive form ln(1 + (N - n + 0.5) / (n + 0.5)), computed over whole documents.
"""

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

K1 = 1.2


@dataclass(frozen=True)
class FieldSpec:
    """A field's weight (how much an occurrence counts) and its length normalisation b (0 none, 1 full)."""

    name: str
    weight: float
    b: float = 0.75


class Bm25fIndex:
    """An in-memory BM25F index over documents given as {field name: terms}."""

    def __init__(self, documents: Sequence[Mapping[str, Sequence[str]]], fields: Sequence[FieldSpec], k1: float = K1):
        self.fields = tuple(fields)
        self.k1 = k1
        self._counts = [{spec.name: Counter(doc.get(spec.name, ())) for spec in self.fields} for doc in documents]
        self._lengths = [{spec.name: len(doc.get(spec.name, ())) for spec in self.fields} for doc in documents]
        count = len(documents)
        self._average = {
            spec.name: (sum(lengths[spec.name] for lengths in self._lengths) / count if count else 0.0)
            for spec in self.fields
        }
        frequency: Counter[str] = Counter()
        for counters in self._counts:
            frequency.update(set().union(*(counter.keys() for counter in counters.values())))
        self._idf = {term: math.log(1 + (count - n + 0.5) / (n + 0.5)) for term, n in frequency.items()}

    def __len__(self) -> int:
        return len(self._counts)

    def idf(self, term: str) -> float:
        """How rare a term is across the documents (0 for a term no document has: it cannot match)."""
        return self._idf.get(term, 0.0)

    def query_norm(self, query_terms: Sequence[str]) -> float:
        """The Euclidean length of the query's term weights, idf * (k1 + 1) each (0 for an empty query).

        A term no document contains weighs as the rarest possible term: words the runbooks never mention
        make a query less well explained, not better. Dividing a score by this length (the query
        normalisation of the vector-space model, Lucene's classic queryNorm) makes scores of short and
        long queries comparable, so one threshold can say "good enough" for both an alert name and a
        paragraph-long description: raw BM25 grows with every incidental word of a long query, while
        score / (sum of weights) punishes a long query for each of them.
        """
        unseen = math.log(1 + (len(self._counts) + 0.5) / 0.5)
        weights = (self._idf.get(term, unseen) * (self.k1 + 1) for term in dict.fromkeys(query_terms))
        return math.sqrt(sum(weight * weight for weight in weights))

    def _pseudo_frequency(self, doc: int, term: str, only: Sequence[str] | None = None) -> float:
        total = 0.0
        for spec in self.fields:
            if only is not None and spec.name not in only:
                continue
            tf = self._counts[doc][spec.name].get(term, 0)
            if not tf:
                continue
            average = self._average[spec.name] or 1.0
            norm = 1 - spec.b + spec.b * self._lengths[doc][spec.name] / average
            total += spec.weight * tf / norm
        return total

    def score(self, doc: int, query_terms: Sequence[str], only: Sequence[str] | None = None) -> float:
        """The BM25F score of one document for a query (its distinct terms; repeats do not count twice),
        from all fields or `only` the named ones."""
        total = 0.0
        for term in dict.fromkeys(query_terms):
            idf = self._idf.get(term)
            if idf is None:
                continue
            tf = self._pseudo_frequency(doc, term, only)
            total += idf * tf * (self.k1 + 1) / (self.k1 + tf)
        return total

    def matches_in(self, doc: int, query_terms: Sequence[str], fields: Sequence[str]) -> bool:
        """Whether any query term occurs in one of the named fields of a document."""
        return any(self._counts[doc][name].get(term, 0) for name in fields for term in query_terms)

    def fields_with(self, doc: int, term: str) -> tuple[str, ...]:
        """The fields of a document that contain a term, in field order."""
        return tuple(spec.name for spec in self.fields if self._counts[doc][spec.name].get(term, 0))
