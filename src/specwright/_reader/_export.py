"""Read a spec JSON export (``specwright export --format json``) back into a :class:`Spec`."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from specwright._errors import SpecError
from specwright._model import Spec
from specwright._validation import first_error

__all__ = ["read_spec_export"]

_HINT = "pass the JSON that `specwright export --format json` writes, or a model_spec.md"


def read_spec_export(path: Path, text: str) -> Spec:
    """Validate ``text`` (read from ``path``) as a spec JSON export; errors name the field."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SpecError(
            f"not JSON ({error.msg})",
            file=str(path),
            line=error.lineno,
            column=error.colno,
            hint=_HINT,
        ) from None
    try:
        return Spec.model_validate(data)
    except ValidationError as error:
        raise SpecError(
            f"not a spec JSON export: {first_error(error)}", file=str(path), hint=_HINT
        ) from None
