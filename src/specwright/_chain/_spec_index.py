"""Everything the chain derives from a spec alone, built once per spec and passed explicitly.

Resolving and compiling many conversations against one spec reuses one :class:`SpecIndex`:
the section candidates, their BM25 index, and each section's rendered text and token cost.
Nothing is cached behind the caller's back; build it with :meth:`SpecIndex.build` and pass it
as ``index=`` to :func:`~specwright.resolve` and :func:`~specwright.compile_prompt`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from specwright._chain._candidates import SectionCandidate, spec_candidates
from specwright._chain._compiled import IsolatedBlock
from specwright._chain._preamble import (
    OMITTED_ROOTS_HEAD,
    SECTIONS_HEADING,
    core_text,
    isolation_text,
)
from specwright._chain._relevance import Bm25Index
from specwright._chain._resolution_rules import standing_verdict
from specwright._chain._spec_text import render_section, whole_spec_text
from specwright._chain._spotlight import DATAMARK, Boundary, SpotlightMode
from specwright._chain._tokens import ApproxTokenCounter, TokenCounter, create_token_counter
from specwright._model import Spec

__all__ = ["SectionCost", "SpecIndex", "isolation_tokens"]


@dataclass(frozen=True)
class SectionCost:
    """A section as the preamble shows it, and its token estimate."""

    text: str
    """The rendered section (heading line, then prose)."""
    tokens: int
    """Its token count (an estimate unless the counter is exact)."""


@dataclass(frozen=True)
class SpecIndex:
    """Section candidates, their relevance index and their costs, for one spec and counter."""

    spec: Spec
    """The spec it was built from."""
    candidates: tuple[SectionCandidate, ...]
    """Sections with an effective authority and prose, in document order."""
    relevance: Bm25Index
    """BM25 over the candidates' titles and prose."""
    costs: dict[str, SectionCost]
    """Candidate id → rendered text and tokens."""
    whole_spec_tokens: int
    """Tokens of the whole spec text, for comparison."""
    counter: TokenCounter
    """The counter the costs were measured with."""
    fixed_tokens: dict[str, int]
    """Costs of the preamble's constant texts: ``core``, ``heading`` (above the sections),
    ``omitted_head`` (the start of the line naming root sections not shown) and
    ``isolation`` (the isolation rules in ``delimit`` mode with an empty boundary token and
    no delegation: see :func:`isolation_tokens`)."""
    id_tokens: dict[str, int]
    """Candidate id → cost of its section id as named in that line."""
    standing: dict[str, SectionCandidate]
    """Candidate id → its verdict when no instruction says anything about it."""

    def omitted_line_tokens(self, candidate_ids: list[str]) -> int:
        """Cost of the line naming these sections (ids joined by ", ", then a full stop)."""
        if not candidate_ids:
            return 0
        names = sum(self.id_tokens[c] for c in candidate_ids)
        return self.fixed_tokens["omitted_head"] + names + len(candidate_ids)

    @classmethod
    def build(cls, spec: Spec, counter: TokenCounter | None = None) -> SpecIndex:
        """Index ``spec``; ``counter`` defaults to the ``approx`` estimate."""
        counter = counter or create_token_counter("approx")
        candidates = spec_candidates(spec)
        costs = {}
        for c in candidates:
            text = render_section(c)
            costs[c.id] = SectionCost(text, counter.count(text))
        return cls(
            spec=spec,
            candidates=candidates,
            relevance=Bm25Index.build(candidates),
            costs=costs,
            whole_spec_tokens=counter.count(whole_spec_text(spec)),
            counter=counter,
            fixed_tokens={
                "core": counter.count(core_text()),
                "heading": counter.count(SECTIONS_HEADING),
                "omitted_head": counter.count(OMITTED_ROOTS_HEAD),
                "isolation": counter.count(isolation_text(Boundary(""), "delimit", DATAMARK, [])),
            },
            id_tokens={c.id: counter.count(c.section_id) for c in candidates},
            standing={c.id: standing_verdict(c) for c in candidates},
        )


def isolation_tokens(
    index: SpecIndex,
    boundary: Boundary,
    mode: SpotlightMode,
    blocks: Sequence[IsolatedBlock],
    isolation: str,
) -> int:
    """The cost of ``isolation`` (:func:`isolation_text` of the other arguments).

    Counting it costs a regex pass over some 400 characters per request. With the
    ``approx`` counter, in ``delimit`` mode and without delegations, it is the index's
    cost of the same text with an empty token, plus the token's cost twice: ``approx``
    pieces never span whitespace nor a colon, and the token stands twice between colons
    (the markers' patterns), so the count adds up exactly (a test holds it to counting)."""
    plain = mode == "delimit" and all(b.delegated == "none" for b in blocks)
    if type(index.counter) is not ApproxTokenCounter or not plain:
        return index.counter.count(isolation)
    return index.fixed_tokens["isolation"] + 2 * index.counter.count(boundary.token)
