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
from dataclasses import dataclass

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
    """Postings of every term over a fixed list of documents (candidate ids)."""

    ids: tuple[str, ...]
    postings: dict[str, tuple[tuple[int, int], ...]]
    lengths: tuple[int, ...]
    average: float

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
        n = len(self.ids)
        totals = [0.0] * n
        for term in set(tokenize(query)):
            hits = self.postings.get(term)
            if not hits:
                continue
            idf = math.log(1 + (n - len(hits) + 0.5) / (len(hits) + 0.5))
            for doc, tf in hits:
                norm = tf + _K1 * (1 - _B + _B * self.lengths[doc] / self.average)
                totals[doc] += idf * tf * (_K1 + 1) / norm
        return dict(zip(self.ids, totals, strict=True))
