"""One-line descriptions of pydantic validation errors, for input-error messages."""

from __future__ import annotations

from pydantic import ValidationError

__all__ = ["first_error"]


def first_error(error: ValidationError) -> str:
    """``field.path: message`` of the first error (pydantic's own text spans many lines)."""
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "document"
    return f"{where}: {first['msg']}"
