"""Spans of time with who is on call in them, and how spans from several sources combine."""

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
    for lo, hi in itertools.pairwise(cuts):
        users = _users_at(winners, lo, hi)
        if users is None:
            users = _users_at(base, lo, hi)
        if users is not None:
            out.append(Span(lo, hi, users))
    return merge(out)


def _users_at(spans: Sequence[Span], lo: datetime, hi: datetime) -> tuple[str, ...] | None:
    """Who the spans covering [lo, hi) put on call (the union, in first-seen order); None if none covers it."""
    found: list[str] | None = None
    for span in spans:
        if span.start <= lo and hi <= span.end:
            found = found if found is not None else []
            found.extend(u for u in span.users if u not in found)
    return tuple(found) if found is not None else None


def merge(spans: list[Span]) -> list[Span]:
    """Sorted, with touching spans of the same people joined."""
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        if out and out[-1].end == span.start and out[-1].users == span.users:
            out[-1] = Span(out[-1].start, span.end, span.users)
        else:
            out.append(span)
    return out
