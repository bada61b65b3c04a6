"""BM25 ranking of spec sections against a conversation.

This ranks; it judges nothing. Which sections apply is the resolution's business; relevance
only orders the non-root applicable sections for the compiler's token budget, transparently
(the scores are reported).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from specwright._chain._candidates import SectionCandidate

__all__ = ["Bm25Index", "tokenize"]

_WORD = re.compile(r"[a-z0-9]+")
_K1 = 1.5
_B = 0.75


def tokenize(text: str) -> list[str]:
    """Lower-cased alphanumeric words."""
    return _WORD.findall(text.lower())


@dataclass(frozen=True)
class Bm25Index:
    """Postings of every term over a fixed list of documents (candidate ids).

    Each posting's BM25 weight depends on the documents alone, so it is computed once here:
    scoring a query only adds up the weights of the query's terms."""

    ids: tuple[str, ...]
    postings: dict[str, tuple[tuple[int, int], ...]]
    lengths: tuple[int, ...]
    average: float
    weights: dict[str, tuple[tuple[int, float], ...]] = field(init=False, repr=False, compare=False)
    """Term → (document, BM25 weight of the term in it), derived from the postings."""

    def __post_init__(self) -> None:
        n = len(self.ids)
        weights = {}
        for term, hits in self.postings.items():
            idf = math.log(1 + (n - len(hits) + 0.5) / (len(hits) + 0.5))
            weights[term] = tuple(
                (doc, idf * tf * (_K1 + 1) / self._norm(doc, tf)) for doc, tf in hits
            )
        object.__setattr__(self, "weights", weights)  # a frozen dataclass's derived field

    def _norm(self, doc: int, tf: int) -> float:
        return tf + _K1 * (1 - _B + _B * self.lengths[doc] / self.average)

    @classmethod
    def build(cls, candidates: Sequence[SectionCandidate]) -> Bm25Index:
        """Index each candidate's title and text."""
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        lengths: list[int] = []
        for doc, candidate in enumerate(candidates):
            words = tokenize(f"{candidate.title} {candidate.text}")
            lengths.append(len(words))
            for term, tf in Counter(words).items():
                postings[term].append((doc, tf))
        average = sum(lengths) / len(lengths) if lengths else 0.0
        frozen = {term: tuple(p) for term, p in postings.items()}
        return cls(tuple(c.id for c in candidates), frozen, tuple(lengths), average or 1.0)

    def scores(self, query: str) -> dict[str, float]:
        """BM25 score of every document for ``query`` (unique query terms)."""
        totals = [0.0] * len(self.ids)
        # Unique terms in query order, not a set's: the sums, and so the ties between
        # sections, come out the same in every process.
        for term in dict.fromkeys(tokenize(query)):
            for doc, weight in self.weights.get(term, ()):
                totals[doc] += weight
        return dict(zip(self.ids, totals, strict=True))
