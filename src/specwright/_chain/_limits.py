"""Limits on one conversation: bounded work for every request, whatever its author intends.

Resolving and compiling cost time linear in the conversation (``docs/chain.md``); these limits
bound that time. The defaults lie far beyond real conversations (a 2-million-token context
holds about 8 million characters); the settings ``SPECWRIGHT_MAX_MESSAGES``,
``SPECWRIGHT_MAX_PARTS`` and ``SPECWRIGHT_MAX_TEXT_CHARS`` raise or lower them. A
conversation beyond one is refused with :class:`~specwright.ConversationTooLarge` naming the
limit, before any of the chain's work is spent on it.
"""

from __future__ import annotations

from pydantic import Field, JsonValue

from specwright._chain._conversation import Conversation, Turn
from specwright._errors import ConversationTooLarge
from specwright._frozen import FrozenModel
from specwright._model import Attachment

__all__ = [
    "DEFAULT_LIMITS",
    "ConversationLimits",
    "check_limits",
    "check_message_count",
    "listed_parts",
]


class ConversationLimits(FrozenModel):
    """The most one conversation may hold (read from the settings by the command line)."""

    max_messages: int = Field(default=50_000, gt=0)
    """Messages (turns), the system prompt included."""
    max_parts: int = Field(default=100_000, gt=0)
    """Content parts and tool calls, over every message."""
    max_text_chars: int = Field(default=2**25, gt=0)
    """Characters of text (parts, attachments' text, tool-call arguments), over every
    message: 32 MiB."""


DEFAULT_LIMITS = ConversationLimits()
"""The defaults: what the adapters apply when they are given no limits."""


def check_message_count(count: int, limits: ConversationLimits | None, parts: int = 0) -> None:
    """Refuse ``count`` messages, or at least ``parts`` parts, over the limits: the adapters
    call it on the raw document, before building any message."""
    if limits is None:
        return
    if count > limits.max_messages:
        _refuse("messages", "max_messages", f"{count:,} messages", limits.max_messages)
    if parts > limits.max_parts:
        what = f"at least {parts:,} content parts and tool calls"
        _refuse("content", "max_parts", what, limits.max_parts)


def listed_parts(messages: list[JsonValue], *keys: str, unless: str = "") -> int:
    """How many items the raw messages list under ``keys`` (``content``, ``tool_calls``),
    blocks of type ``unless`` left out (an Anthropic ``tool_result`` may hold no part): a
    lower bound of their parts, counted in one cheap pass so that a flood of parts is
    refused before it is built."""
    total = 0
    for message in messages:
        if isinstance(message, dict):
            for key in keys:
                items = message.get(key)
                if isinstance(items, list):
                    total += len(items)
                    if unless:
                        total -= sum(isinstance(i, dict) and i.get("type") == unless for i in items)
    return total


def check_limits(conversation: Conversation, limits: ConversationLimits | None) -> Conversation:
    """``conversation`` itself when it is within ``limits`` (``None``: no limits);
    :class:`ConversationTooLarge` naming the field and the setting otherwise."""
    if limits is None:
        return conversation
    check_message_count(len(conversation.turns), limits)
    parts = sum(len(t.message.parts) + len(t.tool_calls) for t in conversation.turns)
    if parts > limits.max_parts:
        what = f"{parts:,} content parts and tool calls"
        _refuse("content", "max_parts", what, limits.max_parts)
    chars = sum(_text_chars(t) for t in conversation.turns)
    if chars > limits.max_text_chars:
        _refuse("content", "max_text_chars", f"{chars:,} characters of text", limits.max_text_chars)
    return conversation


def _text_chars(turn: Turn) -> int:
    total = sum(len(c.arguments) for c in turn.tool_calls)
    for part in turn.message.parts:
        text = part.text if not isinstance(part, Attachment) else part.text or ""
        total += len(text)
    return total


def _refuse(field: str, limit: str, what: str, most: int) -> None:
    setting = f"SPECWRIGHT_{limit.upper()}"
    raise ConversationTooLarge(
        f"{what}, over the limit of {most:,} ({setting})", field=field, limit=limit
    )
