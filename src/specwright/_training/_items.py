"""The neutral shape between sources (spec, runs) and file formats: demonstrations and pairs."""

from __future__ import annotations

from dataclasses import dataclass

from specwright._model import Message
from specwright._training._records import RecordMetadata

__all__ = ["Demonstration", "PreferencePair", "Skipped"]


@dataclass(frozen=True)
class Demonstration:
    """A conversation and the answer to learn (one SFT record)."""

    prompt: tuple[Message, ...]
    answer: Message
    metadata: RecordMetadata


@dataclass(frozen=True)
class PreferencePair:
    """A conversation, a preferred and a dispreferred answer (one preference record)."""

    prompt: tuple[Message, ...]
    chosen: Message
    rejected: Message
    metadata: RecordMetadata


@dataclass(frozen=True)
class Skipped:
    """Something that could have been a record and is not, with the reason."""

    source_id: str
    reason: str
