"""The one base class of specwright's immutable, typed records."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["FrozenModel"]


class FrozenModel(BaseModel):
    """An immutable pydantic model that refuses unknown fields and documents its attributes.

    Every typed record (the spec model, results, reports, store rows) derives from it, so that
    "frozen, strict about fields, attribute docstrings as field descriptions" holds everywhere.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)
