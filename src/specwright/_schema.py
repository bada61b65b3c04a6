"""JSON Schemas generated from the typed models, checked in under ``schemas/``.

Regenerate with ``python -m specwright._schema schemas/``; a test fails when a checked-in
schema no longer matches the model.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from specwright._model import Spec

__all__ = ["SCHEMAS", "render_schema", "spec_json_schema"]


def spec_json_schema() -> dict[str, Any]:
    """JSON Schema of :class:`~specwright.Spec`, as ``specwright export --format json`` emits."""
    schema = Spec.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://specwright.dev/schemas/spec.schema.json"
    return schema


def _training_schema(name: str) -> Callable[[], dict[str, Any]]:
    def schema() -> dict[str, Any]:
        from specwright._training._formats import RECORD_TYPES
        from specwright._training._records import RecordMetadata

        model = RecordMetadata if name == "metadata" else RECORD_TYPES[name]  # type: ignore[index]
        out = model.model_json_schema(mode="serialization")
        out["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        out["$id"] = f"https://specwright.dev/schemas/training-{name}.schema.json"
        return out

    return schema


SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "spec.schema.json": spec_json_schema,
    **{
        f"training-{name}.schema.json": _training_schema(name)
        for name in ("sft", "dpo", "openai-chat", "openai-preference", "metadata")
    },
}
"""File name → schema factory for every checked-in schema."""


def render_schema(name: str) -> str:
    """The canonical text of schema ``name`` (sorted keys, two-space indent, final newline)."""
    return json.dumps(SCHEMAS[name](), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _main(argv: list[str]) -> int:
    target = Path(argv[0] if argv else "schemas")
    target.mkdir(parents=True, exist_ok=True)
    for name in SCHEMAS:
        (target / name).write_text(render_schema(name), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
