"""Compile Spec + Conversation (+ Resolution) into the messages a target model receives.

The result starts with a system preamble: the chain of command, the spotlighting rules (with
this request's boundary token), any delegations, and the applicable spec sections — every
root-level one, then others ranked by BM25 relevance to the conversation's authoritative text
while they fit the token budget. Then come the conversation's turns: system, developer and
user text intact, every span without authority isolated between boundary markers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from specwright._chain._budget import select_sections
from specwright._chain._compile_turns import compile_turn, plan_turns, turn_texts
from specwright._chain._compiled import CompiledPrompt
from specwright._chain._conversation import Conversation, Turn
from specwright._chain._delegation import Delegation
from specwright._chain._interpreter import Interpreter
from specwright._chain._preamble import isolation_text, render_preamble
from specwright._chain._resolution import Resolution, resolve
from specwright._chain._spec_index import SpecIndex, isolation_tokens
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
    ``budget`` caps the tokens of the whole preamble (see :mod:`._budget`: the core rules
    always go in; root-level sections not shown in full are named). ``isolate_assistant``
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
    isolation = isolation_text(boundary, mode, datamark, plan.blocks)
    # The core's cost comes from the index; the isolation rules hold this request's token.
    fixed = index.fixed_tokens["core"] + isolation_tokens(
        index, boundary, mode, plan.blocks, isolation
    )
    chosen = select_sections(index, resolution, budget, fixed)
    preamble = render_preamble([t for _, t in chosen.picked], isolation, chosen.omitted_roots)
    turns = [
        compile_turn(turn, pieces, boundary, bodies)
        for turn, pieces in zip(conversation.turns, plan.pieces, strict=True)
    ]
    return CompiledPrompt(
        conversation=_after_preamble(preamble, turns),
        preamble=preamble,
        boundary_token=boundary.token,
        mode=mode,
        sections=tuple(s for s, _ in chosen.picked),
        omitted=chosen.omitted,
        omitted_roots=chosen.omitted_roots,
        isolated=tuple(plan.blocks),
        # Section costs come from the index: the sum spares counting the spec text per request
        # (exact for ``approx`` up to the joins, within a token per section for BPE).
        preamble_tokens=fixed + chosen.tokens,
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
