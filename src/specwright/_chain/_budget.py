"""The preamble's token budget: which spec sections go in, in full, and which are only named.

The budget caps the whole preamble. The chain-of-command core and the isolation rules always
go in (they are what makes the rest safe to read). Then, while they fit: root-level sections
relevant to the conversation (BM25 score above zero, most relevant first), other standing
sections relevant to it, and root-level sections without lexical overlap, in document order.
Every root-level section that is not included in full is named in one line, whose cost is
reserved first, so the model still knows they are in force.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from specwright._chain._candidates import SectionCandidate
from specwright._chain._compiled import CompiledSection
from specwright._chain._resolution import Resolution
from specwright._chain._spec_index import SpecIndex

__all__ = ["Selection", "select_sections"]


@dataclass(frozen=True)
class Selection:
    """The sections in the preamble and those left out."""

    picked: list[tuple[CompiledSection, str]]
    """Included sections, in document order, with their rendered text."""
    omitted: tuple[str, ...]
    """Standing sections left out (no relevance, or over the budget), in document order."""
    omitted_roots: tuple[str, ...]
    """The root-level ones among them, named in the preamble."""
    tokens: int
    """Tokens of the sections part: heading, sections and the omitted-roots line."""


def select_sections(
    index: SpecIndex, resolution: Resolution, budget: int, fixed_tokens: int
) -> Selection:
    """Fill what ``budget`` leaves after ``fixed_tokens`` (core and isolation rules)."""
    status = {c.id: c.status for c in resolution.section_candidates()}
    standing = [c for c in index.candidates if status.get(c.id) in ("applicable", "undetermined")]
    query = " ".join(c.text for c in resolution.message_candidates() if c.authority != "none")
    scores = index.relevance.scores(query) if query.strip() else {}
    roots = [c for c in standing if c.authority == "root"]
    heading = index.fixed_tokens["heading"]
    reserve = heading + index.omitted_line_tokens([c.id for c in roots])
    left = budget - fixed_tokens - reserve
    chosen: set[str] = set()
    for c in _ranked(standing, scores):
        cost = index.costs[c.id].tokens
        if cost <= left:
            chosen.add(c.id)
            left -= cost
    omitted = tuple(c.section_id for c in standing if c.id not in chosen)
    omitted_roots = tuple(c.section_id for c in roots if c.id not in chosen)
    picked = [_picked(index, c, scores.get(c.id, 0.0)) for c in standing if c.id in chosen]
    tokens = sum(s.tokens for s, _ in picked)
    if picked or omitted_roots:
        tokens += heading
    tokens += index.omitted_line_tokens([c.id for c in roots if c.id not in chosen])
    return Selection(picked, omitted, omitted_roots, tokens)


def _ranked(
    standing: Sequence[SectionCandidate], scores: dict[str, float]
) -> list[SectionCandidate]:
    """Relevant root sections, relevant others, then root sections without overlap: by
    score within a tier, in document order among equals."""
    keyed: list[tuple[int, float, int, SectionCandidate]] = []
    for order, c in enumerate(standing):
        score = scores.get(c.id, 0.0)
        root = c.authority == "root"
        if score > 0:
            keyed.append((0 if root else 1, -score, order, c))
        elif root:
            # Sections without overlap enter only when root-level: a default nobody asked
            # about costs tokens for nothing, a root rule is worth showing while room is left.
            keyed.append((2, -score, order, c))
    keyed.sort(key=lambda k: k[:3])
    return [k[3] for k in keyed]


def _picked(index: SpecIndex, c: SectionCandidate, score: float) -> tuple[CompiledSection, str]:
    cost = index.costs[c.id]
    section = CompiledSection(
        id=c.section_id, authority=c.authority, tokens=cost.tokens, score=round(score, 4)
    )
    return section, cost.text
