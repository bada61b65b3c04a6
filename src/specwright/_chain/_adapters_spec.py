"""The spec dialect's message blocks (``<system>…</system><user>…</user>``) → conversation."""

from __future__ import annotations

from specwright._chain._conversation import Conversation

__all__ = ["from_spec_text"]


def from_spec_text(text: str, *, file: str = "<string>") -> Conversation:
    """Read messages written in the Model Spec dialect; bad input raises ``SpecError``."""
    from specwright._reader import parse_messages  # the reader is the heaviest core module

    return Conversation.from_messages(parse_messages(text, file=file, line=1))
