"""Near-duplicate removal (MinHash + LSH, ``datasketch``) and a diversity figure per section.

Each scenario becomes the set of character 5-grams of its normalised text (roles and contents),
so a copy with a changed name, a typo or swapped punctuation still collides while a different
request does not. LSH proposes candidates; the MinHash Jaccard estimate confirms them.
"""

from __future__ import annotations

import functools
import itertools
import random
import re
import zlib
from collections.abc import Iterable, Sequence

from datasketch import MinHash, MinHashLSH

from specwright._scenarios import ScenarioRecord

__all__ = ["Deduper", "diversity", "diversity_of", "record_text", "signature"]

NUM_PERM = 128
SHINGLE = 5
_SCHEME = "affine32"  # datasketch 2 asks for it whenever permutations are passed in
THRESHOLD = 0.6
"""Estimated Jaccard similarity from which two scenarios count as near-duplicates."""


def record_text(record: ScenarioRecord) -> str:
    """The text that identifies a scenario: every message's role and content, attachments too."""
    chunks = []
    for message in record.messages:
        chunks.append(f"{message.role}: {message.content}")
        chunks += [a.text for a in message.attachments]
    return "\n".join(chunks)


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text.lower())).strip()


@functools.lru_cache(maxsize=1)
def _permutations() -> object:
    # Drawing the permutations is a quarter of a signature's cost; every signature shares them.
    return MinHash(num_perm=NUM_PERM, seed=1, hashfunc=zlib.crc32).permutations


def signature(text: str) -> MinHash:
    """The MinHash of ``text``'s character shingles."""
    normal = _normal(text)
    shingles = {normal[i : i + SHINGLE] for i in range(max(1, len(normal) - SHINGLE + 1))}
    minhash = MinHash(
        num_perm=NUM_PERM,
        seed=1,
        permutations=_permutations(),
        scheme=_SCHEME,
        hashfunc=zlib.crc32,  # a third of SHA-1's cost; shingles need spread, not secrecy
    )
    minhash.update_batch([s.encode() for s in shingles])
    return minhash


@functools.lru_cache(maxsize=8)
def _bands(threshold: float) -> tuple[int, int]:
    # datasketch finds the (bands, rows) split by numerical integration each time an index is
    # built; with one index per section that dominated generation time, so it is done once.
    probe = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return int(probe.b), int(probe.r)


class Deduper:
    """Keeps the first of every group of near-duplicates, across calls."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM, params=_bands(threshold))
        self._hashes: dict[str, MinHash] = {}

    def seen(self, key: str, text: str, minhash: MinHash | None = None) -> str | None:
        """The key of a kept near-duplicate of ``text``, else ``None`` (and ``text`` is kept).

        ``minhash``: ``text``'s signature when already computed (as replies arrive).
        """
        if key in self._hashes:
            return key
        minhash = minhash if minhash is not None else signature(text)
        for other in self._lsh.query(minhash):
            if self._hashes[other].jaccard(minhash) >= self.threshold:
                return str(other)
        self._lsh.insert(key, minhash)
        self._hashes[key] = minhash
        return None

    def add(self, key: str, text: str) -> None:
        """Remember ``text`` without asking (existing and rejected scenarios)."""
        self.seen(key, text)

    def kept(self) -> dict[str, MinHash]:
        """The signatures kept so far, by key: one per group of near-duplicates."""
        return dict(self._hashes)


def diversity(texts: Sequence[str], max_pairs: int = 2000, seed: int = 0) -> float | None:
    """One minus the mean estimated Jaccard similarity over pairs (``None`` below two texts).

    1.0: no shared shingles at all; 0.0: all the same. Large sections use a random sample of
    ``max_pairs`` pairs (seeded, so the figure is repeatable).
    """
    return diversity_of([signature(t) for t in texts], max_pairs, seed)


def diversity_of(hashes: Sequence[MinHash], max_pairs: int = 2000, seed: int = 0) -> float | None:
    """:func:`diversity` of signatures already computed."""
    if len(hashes) < 2:
        return None
    pairs: Iterable[tuple[int, int]] = itertools.combinations(range(len(hashes)), 2)
    all_pairs = list(pairs)
    if len(all_pairs) > max_pairs:
        all_pairs = random.Random(seed).sample(all_pairs, max_pairs)
    similarity = sum(float(hashes[a].jaccard(hashes[b])) for a, b in all_pairs) / len(all_pairs)
    return round(1.0 - similarity, 3)
