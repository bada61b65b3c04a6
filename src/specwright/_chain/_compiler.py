"""Compile Spec + Conversation (+ Resolution) into the messages a target model receives.

The result starts with a system preamble: the chain of command, the spotlighting rules (with
this request's boundary token), any delegations, and the applicable spec sections — every
root-level one, then others ranked by BM25 relevance to the conversation's authoritative text
while they fit the token budget. Then come the conversation's turns: system, developer and
user text intact, every span without authority isolated between boundary markers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from specwright._chain._candidates import SectionCandidate
from specwright._chain._compile_turns import compile_turn, plan_turns, turn_texts
from specwright._chain._compiled import CompiledPrompt, CompiledSection
from specwright._chain._conversation import Conversation, Turn
from specwright._chain._delegation import Delegation
from specwright._chain._interpreter import Interpreter
from specwright._chain._preamble import SECTIONS_HEADING, isolation_text, render_preamble
from specwright._chain._resolution import Resolution, resolve
from specwright._chain._spec_index import SpecIndex
from specwright._chain._spotlight import (
    DATAMARK,
    SpotlightMode,
    check_mode,
    new_boundary,
    transform,
)
from specwright._chain._tokens import TokenCounter, is_exact
from specwright._errors import ConfigurationError
from specwright._model import Message, Spec, TextPart

__all__ = ["compile_prompt"]


def compile_prompt(
    spec: Spec,
    conversation: Conversation,
    resolution: Resolution | None = None,
    *,
    budget: int = 2000,
    mode: SpotlightMode = "delimit",
    counter: TokenCounter | None = None,
    interpreter: Interpreter | None = None,
    delegations: Sequence[Delegation] = (),
    isolate_assistant: bool = True,
    datamark: str = DATAMARK,
    token_factory: Callable[[], str] | None = None,
    index: SpecIndex | None = None,
) -> CompiledPrompt:
    """Compile ``conversation`` under ``spec`` for a target model.

    ``resolution`` defaults to :func:`resolve` with ``interpreter`` and ``delegations``;
    passing a resolution together with either is a :class:`ConfigurationError` (the
    resolution already says which interpreter and delegations it used). ``index`` is the
    spec's :class:`SpecIndex` (built here when omitted; build it once for many requests);
    ``counter`` counts tokens when the index is built here, and must be the index's own
    counter otherwise.
    ``budget`` caps the tokens of non-root sections in the preamble. ``isolate_assistant``
    (default) isolates earlier assistant turns like every other no-authority span: callers
    can forge them, so their role alone does not keep them from steering; pass ``False`` to
    leave them unwrapped. ``token_factory`` draws boundary
    tokens (tests use it to force collisions).
    """
    check_mode(mode)
    index = _index_for(spec, index, counter)
    if resolution is None:
        resolution = resolve(
            spec, conversation, interpreter=interpreter, delegations=delegations, index=index
        )
    elif interpreter is not None or delegations:
        raise ConfigurationError(
            "compile_prompt: pass resolution= or interpreter=/delegations=, not both "
            f"(the resolution was made by the {resolution.interpreter!r} interpreter)"
        )
    plan = plan_turns(conversation, resolution, isolate_assistant)
    bodies = [transform(block.text, mode, datamark) for block in plan.blocks]
    boundary = new_boundary([*turn_texts(conversation), *bodies], token_factory)
    sections, omitted = _select_sections(index, resolution, budget)
    isolation = isolation_text(boundary, mode, datamark, plan.blocks)
    preamble = render_preamble([text for _, text in sections], isolation)
    turns = [
        compile_turn(turn, pieces, boundary, bodies)
        for turn, pieces in zip(conversation.turns, plan.pieces, strict=True)
    ]
    return CompiledPrompt(
        conversation=_after_preamble(preamble, turns),
        preamble=preamble,
        boundary_token=boundary.token,
        mode=mode,
        sections=tuple(s for s, _ in sections),
        omitted=omitted,
        isolated=tuple(plan.blocks),
        preamble_tokens=_preamble_tokens(index.counter, isolation, sections),
        whole_spec_tokens=index.whole_spec_tokens,
        budget=budget,
        counter=index.counter.name,
        tokens_exact=is_exact(index.counter),
        dropped=resolution.dropped,
    )


def _after_preamble(preamble: str, turns: Sequence[Turn]) -> Conversation:
    """The compiled conversation: the preamble as a system turn, then ``turns``."""
    message = Message(role="system", parts=(TextPart(text=preamble),))
    system = Turn(message=message, content_form="string")
    return Conversation(turns=(system, *turns), source_format="compiled")


def _index_for(spec: Spec, index: SpecIndex | None, counter: TokenCounter | None) -> SpecIndex:
    if index is None:
        return SpecIndex.build(spec, counter)
    if index.spec is not spec:
        raise ConfigurationError("the SpecIndex was built for another spec")
    if counter is not None and counter.name != index.counter.name:
        raise ConfigurationError(
            f"counter {counter.name!r} differs from the SpecIndex's {index.counter.name!r}"
        )
    return index


def _select_sections(
    index: SpecIndex, resolution: Resolution, budget: int
) -> tuple[list[tuple[CompiledSection, str]], tuple[str, ...]]:
    """Root sections always; then the most relevant others that fit ``budget`` tokens."""
    candidates: Sequence[SectionCandidate] = index.candidates
    costs = index.costs
    status = {c.id: c.status for c in resolution.section_candidates()}
    standing = [c for c in candidates if status.get(c.id) in ("applicable", "undetermined")]
    query = " ".join(c.text for c in resolution.message_candidates() if c.authority != "none")
    scores = index.relevance.scores(query)
    chosen = {c.id for c in standing if c.authority == "root"}
    ranked = sorted((c for c in standing if c.id not in chosen), key=lambda c: -scores[c.id])
    spent = 0
    for c in ranked:
        cost = costs[c.id].tokens
        if scores[c.id] > 0 and spent + cost <= budget:
            chosen.add(c.id)
            spent += cost
    picked = [
        (
            CompiledSection(
                id=c.section_id,
                authority=c.authority,
                tokens=costs[c.id].tokens,
                score=round(scores[c.id], 4),
            ),
            costs[c.id].text,
        )
        for c in candidates
        if c.id in chosen
    ]
    omitted = tuple(c.section_id for c in standing if c.id not in chosen)
    return picked, omitted


def _preamble_tokens(
    counter: TokenCounter, isolation: str, sections: list[tuple[CompiledSection, str]]
) -> int:
    """Tokens of the preamble: its fixed text counted now, sections from the per-spec cache.

    The parts are joined at blank lines, so the sum is exact for the ``approx`` counter and
    within about a token per section for BPE tokenizers; it spares counting the spec text
    again on every request.
    """
    fixed = counter.count(render_preamble([], isolation))
    if not sections:
        return fixed
    return fixed + counter.count(SECTIONS_HEADING) + sum(s.tokens for s, _ in sections)
