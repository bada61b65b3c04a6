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
from operator import itemgetter

from pydantic import TypeAdapter

from specwright._chain._candidates import CandidateStatus, SectionCandidate
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
    standing, query = _standing_and_query(index, resolution)
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
    picked = _picked(index, [c for c in standing if c.id in chosen], scores)
    tokens = sum(s.tokens for s, _ in picked)
    if picked or omitted_roots:
        tokens += heading
    tokens += index.omitted_line_tokens([c.id for c in roots if c.id not in chosen])
    return Selection(picked, omitted, omitted_roots, tokens)


_STANDING: frozenset[CandidateStatus] = frozenset({"applicable", "undetermined"})


def _standing_and_query(
    index: SpecIndex, resolution: Resolution
) -> tuple[list[SectionCandidate], str]:
    """The index's sections that stand (applicable or undetermined), in document order, and
    the text of the messages with authority (the relevance query): one pass over the trace."""
    status: dict[str, CandidateStatus] = {}
    texts: list[str] = []
    for c in resolution.candidates:
        if isinstance(c, SectionCandidate):
            status[c.id] = c.status
        elif c.authority != "none":
            texts.append(c.text)
    standing = [c for c in index.candidates if status.get(c.id) in _STANDING]
    return standing, " ".join(texts)


def _ranked(
    standing: Sequence[SectionCandidate], scores: dict[str, float]
) -> list[SectionCandidate]:
    """Relevant root sections, relevant others, then root sections without overlap: by
    score within a tier (highest first), in document order among equals."""
    relevant_roots: list[tuple[float, SectionCandidate]] = []
    relevant: list[tuple[float, SectionCandidate]] = []
    other_roots: list[SectionCandidate] = []
    for c in standing:
        score = scores.get(c.id, 0.0)
        if score > 0:
            (relevant_roots if c.authority == "root" else relevant).append((score, c))
        elif c.authority == "root":
            # Sections without overlap enter only when root-level: a default nobody asked
            # about costs tokens for nothing, a root rule is worth showing while room is left.
            other_roots.append(c)
    # reverse=True keeps a sort stable: equals stay in document order.
    relevant_roots.sort(key=itemgetter(0), reverse=True)
    relevant.sort(key=itemgetter(0), reverse=True)
    return [c for _, c in relevant_roots] + [c for _, c in relevant] + other_roots


def _picked(
    index: SpecIndex, included: list[SectionCandidate], scores: dict[str, float]
) -> list[tuple[CompiledSection, str]]:
    """The included sections with their rendered text, built in one validating call."""
    costs = [index.costs[c.id] for c in included]
    sections = _SECTIONS.validate_python(
        [
            {
                "id": c.section_id,
                "authority": c.authority,
                "tokens": cost.tokens,
                "score": round(scores.get(c.id, 0.0), 4),
            }
            for c, cost in zip(included, costs, strict=True)
        ]
    )
    return [(s, cost.text) for s, cost in zip(sections, costs, strict=True)]


_SECTIONS = TypeAdapter(list[CompiledSection])
