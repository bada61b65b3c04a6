"""Loading a spec for an eval: the Model Spec dialect, or the JSON of ``specwright export``."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from specwright._errors import ConfigurationError, SpecError
from specwright._model import Spec

__all__ = ["load_spec"]


def load_spec(path: str | Path) -> Spec:
    """Read ``path``: a ``.json`` spec export, or a ``model_spec.md`` file or directory."""
    path = Path(path)
    if path.suffix == ".json":
        return _from_json(path)
    try:
        from specwright._reader import read_spec
    except ImportError:  # the reader ships separately while the project is being assembled
        raise ConfigurationError(
            f"{path}: this build cannot read markdown specs; pass a JSON export instead"
        ) from None
    return read_spec(path)


def _from_json(path: Path) -> Spec:
    try:
        return Spec.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(f"cannot read spec {path}: {exc.strerror}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SpecError(f"not a spec export: {where}: {first['msg']}", file=str(path)) from None
