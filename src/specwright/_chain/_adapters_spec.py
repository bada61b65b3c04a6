"""The spec dialect's message blocks (``<system>…</system><user>…</user>``) ⇄ conversation."""

from __future__ import annotations

from specwright._chain._conversation import Conversation
from specwright._errors import ConfigurationError

__all__ = ["from_spec_text"]


def from_spec_text(text: str, *, file: str = "<string>") -> Conversation:
    """Read messages written in the Model Spec dialect (via the spec reader)."""
    try:
        from specwright import parse_messages  # type: ignore[attr-defined,unused-ignore]
    except ImportError:  # the reader lands separately; say so rather than guess
        raise ConfigurationError(
            "the spec dialect reader (specwright.parse_messages) is not available"
        ) from None
    messages = parse_messages(text, file=file, line=1)
    return Conversation.from_messages(tuple(messages))
