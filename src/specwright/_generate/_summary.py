"""The summary of one generation: what ``specwright generate --json`` prints, as one record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import SerializerFunctionWrapHandler, model_serializer

from specwright._frozen import FrozenModel
from specwright._generate._adaptive import AdaptiveResult, RoundReport
from specwright._generate._generation import GenerationResult, SectionReport

__all__ = ["GenerationSummary"]


class GenerationSummary(FrozenModel):
    """Where the drafts went, how many, at what cost, and each section's account (and, for
    ``--adaptive``, each round's)."""

    output: str
    """The scenario file."""
    written: int
    """New draft records written (over every round, with ``--adaptive``)."""
    requests: int
    """Generator requests of the first generation."""
    tokens: int
    """Generator tokens of the first generation."""
    seconds: float
    """Wall time of its requests."""
    sections: dict[str, SectionReport]
    """Each section's account of the first generation."""
    rounds: list[RoundReport] | None = None
    """Each round of ``--adaptive`` (absent without it)."""

    @model_serializer(mode="wrap")
    def _rounds_only_when_adaptive(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("rounds") is None:
            data.pop("rounds", None)
        return data

    @classmethod
    def of(cls, result: GenerationResult | AdaptiveResult, output: Path) -> GenerationSummary:
        """The summary of a generation (or an adaptive search) that wrote to ``output``."""
        first = result.generation[0] if isinstance(result, AdaptiveResult) else result
        return cls(
            output=str(output),
            written=len(result.records),
            requests=first.requests,
            tokens=first.tokens,
            seconds=first.seconds,
            sections=first.sections,
            rounds=result.rounds if isinstance(result, AdaptiveResult) else None,
        )
