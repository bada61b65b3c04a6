"""Read a spec JSON export (``specwright export --format json``) back into a :class:`Spec`."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from specwright._errors import SpecError
from specwright._jsonio import JsonInputError, format_path, load_json
from specwright._model import Spec
from specwright._validation import first_error

__all__ = ["read_spec_export"]

_HINT = "pass the JSON that `specwright export --format json` writes, or a model_spec.md"


def read_spec_export(path: Path, text: str) -> Spec:
    """Validate ``text`` (read from ``path``) as a spec JSON export; errors name the field."""
    try:
        data = load_json(text)
    except JsonInputError as error:
        where = f" at {format_path(error.path)}" if error.path else ""
        raise SpecError(
            f"{error.problem}{where}",
            file=str(path),
            line=error.line,
            column=error.column,
            hint=_HINT,
        ) from None
    try:
        return Spec.model_validate(data)
    except ValidationError as error:
        raise SpecError(
            f"not a spec JSON export: {first_error(error)}", file=str(path), hint=_HINT
        ) from None
