"""The compiler's result types."""

from __future__ import annotations

from typing import Any

from specwright._chain._adapters_anthropic import to_anthropic
from specwright._chain._adapters_openai import to_openai
from specwright._chain._conversation import Conversation
from specwright._chain._fields import DroppedField
from specwright._chain._spotlight import SpotlightMode
from specwright._frozen import FrozenModel
from specwright._model import AuthorityOrNone

__all__ = ["CompiledPrompt", "CompiledSection", "IsolatedBlock"]


class CompiledSection(FrozenModel):
    """A spec section placed in the preamble."""

    id: str
    """The section id."""
    authority: AuthorityOrNone
    """Its effective authority."""
    tokens: int
    """Its cost in the preamble."""
    score: float
    """Its BM25 relevance (root sections are included whatever their score)."""


class IsolatedBlock(FrozenModel):
    """A span placed between boundary markers."""

    block: int
    """The block number used in the markers."""
    message_index: int
    """The turn it comes from."""
    part_index: int
    """The part it comes from."""
    start: int
    """Start offset in the part's text."""
    end: int
    """End offset (exclusive)."""
    kind: str
    """What it is structurally (tool_output, untrusted, block_quote …)."""
    text: str
    """The original text, before neutralisation and transformation."""
    delegated: AuthorityOrNone = "none"
    """The authority delegated to it (``none`` when not delegated)."""
    delegated_by: str | None = None
    """The grantor, when delegated."""


class CompiledPrompt(FrozenModel):
    """The compiled request and what went into it."""

    conversation: Conversation
    """The preamble as a system turn, then the transformed turns."""
    preamble: str
    """The preamble text."""
    boundary_token: str
    """This request's random boundary token."""
    mode: SpotlightMode
    """How isolated content is presented."""
    sections: tuple[CompiledSection, ...]
    """Spec sections in the preamble, in document order."""
    omitted: tuple[str, ...]
    """Applicable sections left out (no relevance, or over the budget)."""
    omitted_roots: tuple[str, ...] = ()
    """The root-level sections among them, which the preamble names in one line."""
    isolated: tuple[IsolatedBlock, ...]
    """Every isolated block, in order."""
    preamble_tokens: int
    """Tokens of the preamble (an estimate unless :attr:`tokens_exact`)."""
    whole_spec_tokens: int
    """Tokens of the whole spec, for comparison (an estimate unless :attr:`tokens_exact`)."""
    budget: int
    """The token budget of the whole preamble (the core rules go in even beyond it)."""
    counter: str
    """The token counter's name."""
    dropped: tuple[DroppedField, ...] = ()
    """Fields of the conversation left out of the compiled request (neither isolated nor
    structural)."""
    tokens_exact: bool = False
    """Whether the token figures are exact counts; by default they are estimates."""

    def to_openai(self) -> list[dict[str, Any]]:
        """The compiled messages in OpenAI Chat Completions form."""
        return to_openai(self.conversation)

    def to_anthropic(self) -> dict[str, Any]:
        """The compiled messages as an Anthropic Messages body."""
        return to_anthropic(self.conversation)
