"""Spans of time with who is on call in them, and how spans from several sources combine."""

import bisect
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Span:
    """[start, end) in UTC, with the people on call in it (empty: nobody)."""

    start: datetime
    end: datetime
    users: tuple[str, ...]

    def clip(self, start: datetime, end: datetime) -> "Span | None":
        """This span cut to [start, end), or None if they do not meet."""
        lo, hi = max(self.start, start), min(self.end, end)
        return Span(lo, hi, self.users) if lo < hi else None


def _cuts(spans: Iterable[Span]) -> list[datetime]:
    return sorted({t for s in spans for t in (s.start, s.end)})


def overlay(base: Sequence[Span], top: Sequence[Span], *, only_where_staffed: bool) -> list[Span]:
    """`top` over `base`: where a top span lies, it wins (if `only_where_staffed`, only where it has
    someone on call, so an empty top span lets the base show through)."""
    winners = [s for s in top if s.users or not only_where_staffed]
    if not winners:
        return merge(list(base))
    cuts = _cuts([*base, *winners])
    out: list[Span] = []
    pieces = itertools.pairwise(cuts)
    for (lo, hi), above, below in zip(pieces, _coverage(winners, cuts), _coverage(base, cuts), strict=True):
        users = above if above is not None else below
        if users is not None:
            out.append(Span(lo, hi, users))
    return merge(out)


def _coverage(spans: Sequence[Span], cuts: list[datetime]) -> list[tuple[str, ...] | None]:
    """For each piece [lo, hi) between consecutive `cuts` (which include every span's start and end): who the spans
    covering it put on call (the union, in the spans' order), or None where none does. One sweep: spans join the
    active set as the pieces reach their start and leave it at their end, so this is linear in spans and pieces
    (times the few spans that overlap at once), not their product."""
    order = sorted(range(len(spans)), key=lambda i: spans[i].start)
    active: list[int] = []
    out: list[tuple[str, ...] | None] = []
    waiting = 0
    for lo, _ in itertools.pairwise(cuts):
        while waiting < len(order) and spans[order[waiting]].start <= lo:
            bisect.insort(active, order[waiting])
            waiting += 1
        active = [i for i in active if spans[i].end > lo]
        if not active:
            out.append(None)
            continue
        found: list[str] = []
        for i in active:  # no cut lies inside a piece, so a span active at lo covers all of it
            found.extend(u for u in spans[i].users if u not in found)
        out.append(tuple(found))
    return out


def merge(spans: list[Span]) -> list[Span]:
    """Sorted, with touching spans of the same people joined."""
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        if out and out[-1].end == span.start and out[-1].users == span.users:
            out[-1] = Span(out[-1].start, span.end, span.users)
        else:
            out.append(span)
    return out
