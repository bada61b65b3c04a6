"""A run split over worker processes: shard ``K/N`` holds every N-th scenario from the K-th."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from pydantic import Field, model_validator

from specwright._errors import ConfigurationError
from specwright._frozen import FrozenModel

__all__ = ["Shard", "WorkerReport"]

_T = TypeVar("_T")


class Shard(FrozenModel):
    """Worker ``index`` of ``count`` (0-based)."""

    index: int = Field(ge=0)
    count: int = Field(ge=1)

    @model_validator(mode="after")
    def _in_range(self) -> Shard:
        if self.index >= self.count:
            raise ValueError(f"shard {self.index} of {self.count} does not exist")
        return self

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"K/N"`` → :class:`Shard`."""
        index, _, count = text.partition("/")
        try:
            return cls(index=int(index), count=int(count))
        except ValueError as exc:
            raise ConfigurationError(f"shard {text!r}: expected K/N with 0 <= K < N") from exc

    def select(self, items: Sequence[_T]) -> list[_T]:
        """This shard's items: every ``count``-th from ``index``, in order."""
        return list(items[self.index :: self.count])

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


class WorkerReport(FrozenModel):
    """What a worker process prints as its last line on stdout."""

    log: str | None = None
    """Its shard's log."""
    done: int = 0
    """Samples finished."""
    total: int = 0
    """Samples the shard was to do."""
    failures: dict[str, int] = Field(default_factory=dict)
    """Failed samples by reason."""
    resumed: bool = False
    """Whether it resumed an unfinished shard."""
    interrupted: str | None = None
    """The signal that stopped it, if one did."""
