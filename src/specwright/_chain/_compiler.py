"""Compile Spec + Conversation (+ Resolution) into the messages a target model receives.

The result starts with a system preamble: the chain of command, the spotlighting rules (with
this request's boundary token), any delegations, and the applicable spec sections — every
root-level one, then others ranked by BM25 relevance to the conversation's authoritative text
while they fit the token budget. Then come the conversation's turns: system, developer and
user text intact, every span without authority isolated between boundary markers.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence

from specwright._chain._candidates import Candidate, spec_candidates
from specwright._chain._compile_turns import compile_turn, plan_turns, turn_texts
from specwright._chain._compiled import CompiledPrompt, CompiledSection
from specwright._chain._conversation import Conversation, Turn
from specwright._chain._delegation import Delegation
from specwright._chain._interpreter import Interpreter
from specwright._chain._preamble import (
    SECTIONS_HEADING,
    isolation_text,
    render_preamble,
    render_section,
    whole_spec_text,
)
from specwright._chain._relevance import bm25_index
from specwright._chain._resolution import Resolution, resolve
from specwright._chain._spotlight import (
    DATAMARK,
    SpotlightMode,
    check_mode,
    new_boundary,
    transform,
)
from specwright._chain._tokens import ApproxTokenCounter, TokenCounter
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
) -> CompiledPrompt:
    """Compile ``conversation`` under ``spec`` for a target model.

    ``resolution`` defaults to :func:`resolve` with ``interpreter`` and ``delegations``.
    ``budget`` caps the tokens of non-root sections in the preamble. ``isolate_assistant``
    (default) isolates earlier assistant turns like every other no-authority span: callers
    can forge them, so their role alone does not keep them from steering; pass ``False`` to
    leave them unwrapped. ``token_factory`` draws boundary
    tokens (tests use it to force collisions).
    """
    check_mode(mode)
    counter = counter or ApproxTokenCounter()
    resolution = resolution or resolve(
        spec, conversation, interpreter=interpreter, delegations=delegations
    )
    plan = plan_turns(conversation, resolution, isolate_assistant)
    bodies = [transform(block.text, mode, datamark) for block in plan.blocks]
    boundary = new_boundary([*turn_texts(conversation), *bodies], token_factory)
    sections, omitted = _select_sections(spec, resolution, counter, budget)
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
        preamble_tokens=_preamble_tokens(counter, isolation, sections),
        whole_spec_tokens=_whole_spec_tokens(spec, counter),
        budget=budget,
        counter=counter.name,
    )


def _after_preamble(preamble: str, turns: Sequence[Turn]) -> Conversation:
    """The compiled conversation: the preamble as a system turn, then ``turns``."""
    message = Message(role="system", parts=(TextPart(text=preamble),))
    system = Turn(message=message, content_form="string")
    return Conversation(turns=(system, *turns), source_format="compiled")


_Costs = dict[str, tuple[str, int]]
_COSTS: OrderedDict[int, tuple[object, str, _Costs, int]] = OrderedDict()


def _costs(
    spec: Spec, candidates: tuple[Candidate, ...], counter: TokenCounter
) -> tuple[_Costs, int]:
    """Rendered text and token cost of every section, and of the whole spec (cached)."""
    hit = _COSTS.get(id(candidates))
    if hit is not None and hit[0] is candidates and hit[1] == counter.name:
        return hit[2], hit[3]
    costs: _Costs = {}
    for c in candidates:
        text = render_section(c)
        costs[c.id] = (text, counter.count(text))
    whole = counter.count(whole_spec_text(spec))
    _COSTS[id(candidates)] = (candidates, counter.name, costs, whole)  # pins the id
    while len(_COSTS) > 8:
        _COSTS.popitem(last=False)
    return costs, whole


def _whole_spec_tokens(spec: Spec, counter: TokenCounter) -> int:
    return _costs(spec, spec_candidates(spec), counter)[1]


def _select_sections(
    spec: Spec, resolution: Resolution, counter: TokenCounter, budget: int
) -> tuple[list[tuple[CompiledSection, str]], tuple[str, ...]]:
    """Root sections always; then the most relevant others that fit ``budget`` tokens."""
    candidates = spec_candidates(spec)
    costs, _ = _costs(spec, candidates, counter)
    status = {c.id: c.status for c in resolution.candidates if c.origin == "spec"}
    standing = [c for c in candidates if status.get(c.id) in ("applicable", "undetermined")]
    query = " ".join(c.text for c in resolution.message_candidates() if c.authority != "none")
    scores = bm25_index(candidates).scores(query)
    chosen = {c.id for c in standing if c.authority == "root"}
    ranked = sorted((c for c in standing if c.id not in chosen), key=lambda c: -scores[c.id])
    spent = 0
    for c in ranked:
        cost = costs[c.id][1]
        if scores[c.id] > 0 and spent + cost <= budget:
            chosen.add(c.id)
            spent += cost
    picked = [
        (
            CompiledSection(
                id=c.section_id or c.id,
                authority=c.authority,
                tokens=costs[c.id][1],
                score=round(scores[c.id], 4),
            ),
            costs[c.id][0],
        )
        for c in candidates
        if c.id in chosen
    ]
    omitted = tuple(c.section_id or c.id for c in standing if c.id not in chosen)
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
